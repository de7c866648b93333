package org.attest4j.examples.kms;

import java.time.Duration;
import java.util.Objects;

/**
 * The example server's HTTP limits ({@code "http"} in kms.json). Defaults in brackets:
 *
 * <ul>
 *   <li>{@code worker_threads} [8] and {@code worker_queue} [64]: key releases, GetNonce and the
 *       other RPCs run on a bounded pool; when all workers are busy and the queue is full the answer
 *       is 503 with {@code Retry-After} at once (reason {@code ServerReason.OVERLOADED});
 *   <li>{@code read_deadline_ms} [5000]: the whole request body must arrive within this time after
 *       the headers, else 408 and the connection is closed;
 *   <li>{@code idle_timeout_ms} [10000]: a connection that sends nothing for this long (also while
 *       its headers are incomplete: Jetty 12 has no separate header deadline) is closed; waiting
 *       connections hold no thread (Jetty reads them with non-blocking I/O);
 *   <li>{@code max_connections} [1024]: further connections wait in the kernel's accept queue;
 *   <li>{@code max_connections_per_client} [256]: a client (remote address) with this many open
 *       connections has further ones closed as they open, before a TLS handshake or request is read;
 *   <li>{@code max_body_bytes} [65536]: a larger body is 413;
 *   <li>{@code rate_per_second} [50] and {@code rate_burst} [100]: a token bucket per client
 *       (remote address) for GetNonce, GetAppKeyAmd, GetAppKeyTdx and the RA-TLS RPCs that verify an
 *       attestation (GetAppKey, SignCert, GetKmsKey); an empty bucket is 429 with
 *       {@code Retry-After} (reason {@code ServerReason.RATE_LIMITED}); 0 turns the limit off.
 * </ul>
 *
 * @param workerThreads the worker pool size
 * @param workerQueue requests queued for a worker before 503
 * @param readDeadline the deadline for the whole body
 * @param idleTimeout the idle timeout of a connection
 * @param maxConnections the most open connections
 * @param maxConnectionsPerClient the most open connections of one client
 * @param maxBodyBytes the largest body
 * @param ratePerSecond tokens added per second per client (0: no limit)
 * @param rateBurst the bucket size per client
 */
public record HttpLimits(int workerThreads, int workerQueue, Duration readDeadline, Duration idleTimeout,
    int maxConnections, int maxConnectionsPerClient, int maxBodyBytes, double ratePerSecond, int rateBurst) {

  /** The defaults listed above. */
  public static final HttpLimits DEFAULTS =
      new HttpLimits(8, 64, Duration.ofSeconds(5), Duration.ofSeconds(10), 1024, 256, 64 * 1024, 50, 100);

  /**
   * Checks the values.
   *
   * @param workerThreads the worker pool size
   * @param workerQueue requests queued for a worker before 503
   * @param readDeadline the deadline for the whole body
   * @param idleTimeout the idle timeout of a connection
   * @param maxConnections the most open connections
   * @param maxConnectionsPerClient the most open connections of one client
   * @param maxBodyBytes the largest body
   * @param ratePerSecond tokens added per second per client (0: no limit)
   * @param rateBurst the bucket size per client
   * @throws IllegalArgumentException if a value is out of range
   */
  public HttpLimits {
    Objects.requireNonNull(readDeadline, "readDeadline");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    check(workerThreads >= 1 && workerThreads <= 1024, "worker_threads must be 1..1024");
    check(workerQueue >= 0 && workerQueue <= 1_000_000, "worker_queue must be 0..1000000");
    check(!readDeadline.isNegative() && !readDeadline.isZero() && readDeadline.toMinutes() < 10, "read_deadline_ms must be 1 ms..10 min");
    check(!idleTimeout.isNegative() && !idleTimeout.isZero() && idleTimeout.toMinutes() < 60, "idle_timeout_ms must be 1 ms..1 h");
    check(maxConnections >= 1, "max_connections must be positive");
    check(maxConnectionsPerClient >= 1, "max_connections_per_client must be positive");
    check(maxBodyBytes >= 1024 && maxBodyBytes <= 16 * 1024 * 1024, "max_body_bytes must be 1 KiB..16 MiB");
    check(ratePerSecond >= 0 && Double.isFinite(ratePerSecond), "rate_per_second must be 0 or positive");
    check(rateBurst >= 1, "rate_burst must be positive");
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * These limits with another worker pool size.
   *
   * @param threads the pool size
   * @return the limits
   */
  public HttpLimits withWorkerThreads(int threads) {
    return new HttpLimits(threads, workerQueue, readDeadline, idleTimeout, maxConnections, maxConnectionsPerClient, maxBodyBytes, ratePerSecond, rateBurst);
  }

  /**
   * These limits with another rate limit.
   *
   * @param perSecond tokens per second per client (0: none)
   * @param burst the bucket size
   * @return the limits
   */
  public HttpLimits withRate(double perSecond, int burst) {
    return new HttpLimits(workerThreads, workerQueue, readDeadline, idleTimeout, maxConnections, maxConnectionsPerClient, maxBodyBytes, perSecond, burst);
  }

  /**
   * These limits with another per-client connection limit.
   *
   * @param perClient the most open connections of one client
   * @return the limits
   */
  public HttpLimits withMaxConnectionsPerClient(int perClient) {
    return new HttpLimits(workerThreads, workerQueue, readDeadline, idleTimeout, maxConnections, perClient, maxBodyBytes, ratePerSecond, rateBurst);
  }

  /**
   * These limits with another read deadline and idle timeout.
   *
   * @param read the body deadline
   * @param idle the idle timeout
   * @return the limits
   */
  public HttpLimits withTimeouts(Duration read, Duration idle) {
    return new HttpLimits(workerThreads, workerQueue, read, idle, maxConnections, maxConnectionsPerClient, maxBodyBytes, ratePerSecond, rateBurst);
  }
}
