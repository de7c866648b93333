package org.attest4j.examples.kms;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.SocketChannelEndPoint;

/**
 * At most {@code max} open network connections per client (the remote address through the
 * server's client key): a further connection from that client is closed as soon as it opens,
 * before its TLS handshake or request is read, so one address cannot hold the server's whole
 * connection limit. Only network connections count (not the HTTP connection inside a TLS one).
 *
 * <p>Thread-safe.
 */
final class ClientConnectionLimit implements Connection.Listener {
  private final int max;
  private final Function<InetSocketAddress, String> clientKey;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<Connection, String> counted = new ConcurrentHashMap<>();

  ClientConnectionLimit(int max, Function<InetSocketAddress, String> clientKey) {
    this.max = max;
    this.clientKey = clientKey;
  }

  @Override
  public void onOpened(Connection connection) {
    if (!(connection.getEndPoint() instanceof SocketChannelEndPoint ep)) {
      return;
    }
    SocketAddress remote = ep.getRemoteSocketAddress();
    String key = remote instanceof InetSocketAddress isa && isa.getAddress() != null
        ? clientKey.apply(isa) : String.valueOf(remote);
    int n = open.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    counted.put(connection, key);
    if (n > max) {
      ep.close();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    String key = counted.remove(connection);
    if (key != null) {
      open.computeIfPresent(key, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
    }
  }

  /** Open connections of the busiest client (for tests). */
  int clients() {
    return open.size();
  }

  @Override
  public String toString() {
    return "ClientConnectionLimit[" + max + " per client]";
  }
}
