package org.attest4j.examples.kms;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The per-client rate limit in front of a client-certificate check: a TLS client that presents a
 * certificate takes a token from its address's bucket before the (costly) check runs, so a client
 * cannot force one RA-TLS certificate verification (parse, chain signature, attestation decoding,
 * binding, evidence consistency) per handshake beyond its budget. A client over its budget fails
 * the handshake at once. Clients are keyed like HTTP requests (the remote address through the
 * server's client key); the peer host is the IP literal Jetty gives the engine, never resolved.
 *
 * <p>Thread-safe.
 */
final class HandshakeGate extends X509ExtendedTrustManager {
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F:.%]*:[0-9a-fA-F:.%]*");

  private final X509TrustManager delegate;
  private final ClientRateLimiter limiter;
  private final Function<InetSocketAddress, String> clientKey;

  HandshakeGate(X509TrustManager delegate, ClientRateLimiter limiter,
      Function<InetSocketAddress, String> clientKey) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.clientKey = Objects.requireNonNull(clientKey, "clientKey");
  }

  private void admit(String peerHost) throws CertificateException {
    String key = key(peerHost);
    Optional<Duration> wait = limiter.tryAcquire(key);
    if (wait.isPresent()) {
      throw new CertificateException("too many client-certificate handshakes from this address;"
          + " retry after " + wait.get().toMillis() + " ms");
    }
  }

  /** The client key of a peer host: an IP literal goes through the client key, never DNS. */
  private String key(String peerHost) {
    if (peerHost != null && IP_LITERAL.matcher(peerHost).matches()) {
      try {
        return clientKey.apply(new InetSocketAddress(InetAddress.getByName(peerHost), 0));
      } catch (UnknownHostException | RuntimeException e) {
        return peerHost;
      }
    }
    return String.valueOf(peerHost);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    admit(engine == null ? null : engine.getPeerHost());
    if (delegate instanceof X509ExtendedTrustManager x) {
      x.checkClientTrusted(chain, authType, engine);
    } else {
      delegate.checkClientTrusted(chain, authType);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    admit(socket instanceof SSLSocket && socket.getInetAddress() != null
        ? socket.getInetAddress().getHostAddress() : null);
    if (delegate instanceof X509ExtendedTrustManager x) {
      x.checkClientTrusted(chain, authType, socket);
    } else {
      delegate.checkClientTrusted(chain, authType);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    admit(null);
    delegate.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a server-side trust manager checks clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a server-side trust manager checks clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a server-side trust manager checks clients only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }

  @Override
  public String toString() {
    return "HandshakeGate[" + delegate + "]";
  }
}
