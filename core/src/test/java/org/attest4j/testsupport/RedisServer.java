package org.attest4j.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@code redis-server} started for a test on a free loopback port, without persistence ({@code
 * --save '' --appendonly no}); {@code .ci/run} installs Debian's redis-server when it is missing.
 * {@link #stop()} and {@link #start()} again keep the port (to test an outage). Tests are skipped
 * with a message when no redis-server is installed.
 */
public final class RedisServer implements AutoCloseable {
  private final String binary;
  private final int port;
  private Process process;

  private RedisServer(String binary, int port) {
    this.binary = binary;
    this.port = port;
  }

  /** Starts a server on a free port (skips the test when redis-server is not installed). */
  public static RedisServer startFresh() throws IOException {
    String bin = find();
    Assumptions.assumeTrue(bin != null, "redis-server is not installed (.ci/run installs Debian's redis-server)");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    RedisServer r = new RedisServer(bin, port);
    r.start();
    return r;
  }

  private static String find() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "redis-server");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (String p : List.of("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    return null;
  }

  /** Starts (or restarts) the server on its port and returns once it accepts connections. */
  public synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    process = new ProcessBuilder(binary, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--protected-mode", "yes").redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.contains("Ready to accept connections")) {
        Thread drain = new Thread(() -> {
          try {
            while (out.readLine() != null) {
              // keep the pipe empty
            }
          } catch (IOException e) {
            // the server stopped
          }
        }, "redis-server-output");
        drain.setDaemon(true);
        drain.start();
        return;
      }
    }
    throw new IOException("redis-server did not start:\n" + seen);
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  public synchronized void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public URI url() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
