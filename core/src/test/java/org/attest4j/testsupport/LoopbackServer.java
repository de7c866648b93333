package org.attest4j.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server standing in for an endorsement server (AMD KDS, Intel PCS): serves fixed
 * bodies per path-and-query, with scripted failures in front of them (status codes with headers,
 * truncated bodies, blocking until released), and counts requests per path. Unknown paths get 404.
 * Modules subclass it to name their fake (e.g. {@code FakeKds}). Thread-safe.
 */
public class LoopbackServer implements AutoCloseable {
  /** One scripted answer. */
  public static final class Answer {
    final int status;
    final byte[] body;
    final Map<String, String> headers;
    final CountDownLatch block;

    /** {@code status} with {@code body} and {@code headers}, first waiting for {@code block} unless null. */
    public Answer(int status, byte[] body, Map<String, String> headers, CountDownLatch block) {
      this.status = status;
      this.body = body;
      this.headers = headers;
      this.block = block;
    }

    /** {@code status} with headers and no body. */
    public static Answer status(int status, Map<String, String> headers) {
      return new Answer(status, new byte[0], headers, null);
    }

    /** 200 with {@code body}. */
    public static Answer body(byte[] body) {
      return new Answer(200, body, Map.of(), null);
    }

    /** 200 with {@code body} once {@code latch} is released. */
    public static Answer blockUntil(CountDownLatch latch, byte[] body) {
      return new Answer(200, body, Map.of(), latch);
    }
  }

  private final HttpServer server;
  private final ExecutorService pool;
  private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> bodyHeaders = new ConcurrentHashMap<>();
  private final Map<String, Deque<Answer>> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private volatile Answer always;
  private volatile Answer fallback;

  /** Starts a server on a free loopback port; {@code threadName} names its daemon threads. */
  protected LoopbackServer(String threadName) throws IOException {
    pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/", this::handle);
    server.start();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Serves {@code body} at {@code pathAndQuery} (e.g. "/vcek/v1/Milan/cert_chain"). */
  public LoopbackServer serve(String pathAndQuery, byte[] body) {
    bodies.put(pathAndQuery, body);
    return this;
  }

  /** Serves {@code body} with response headers. */
  public LoopbackServer serve(String pathAndQuery, byte[] body, Map<String, String> headers) {
    bodies.put(pathAndQuery, body);
    bodyHeaders.put(pathAndQuery, headers);
    return this;
  }

  /** Answers the next request for the path with {@code a} before falling back to the body. */
  public LoopbackServer then(String pathAndQuery, Answer a) {
    scripts.computeIfAbsent(pathAndQuery, k -> new ArrayDeque<>()).add(a);
    return this;
  }

  /** Answers every request with {@code a} (an outage), or normally again with null. */
  public LoopbackServer always(Answer a) {
    this.always = a;
    return this;
  }

  /** Answers requests for paths without a body or script with {@code a} (default 404); null resets. */
  public LoopbackServer fallback(Answer a) {
    this.fallback = a;
    return this;
  }

  /** How many requests asked for {@code pathAndQuery}. */
  public int hits(String pathAndQuery) {
    AtomicInteger n = hits.get(pathAndQuery);
    return n == null ? 0 : n.get();
  }

  /** How many requests were received. */
  public int totalHits() {
    return hits.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      URI u = ex.getRequestURI();
      String key = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
      hits.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      Answer a = always;
      if (a == null) {
        Deque<Answer> q = scripts.get(key);
        synchronized (this) {
          a = q == null ? null : q.poll();
        }
      }
      if (a == null) {
        byte[] b = bodies.get(key);
        Answer f = fallback;
        a = b == null ? (f != null ? f : Answer.status(404, Map.of())) : new Answer(200, b, bodyHeaders.getOrDefault(key, Map.of()), null);
      }
      if (a.block != null) {
        try {
          a.block.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      a.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      if (a.body.length == 0) {
        ex.sendResponseHeaders(a.status, -1);
        return;
      }
      ex.sendResponseHeaders(a.status, a.body.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(a.body);
      }
    } catch (IOException e) {
      // the client went away (e.g. after its timeout)
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
