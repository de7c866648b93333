package org.attest4j.ratls;

import java.net.Socket;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A JSSE trust manager that accepts a TLS peer only when its certificate passes a {@link
 * RatlsVerifier} (chain by mode, attestation, key binding, evidence, and vendor signatures when the
 * verifier has a {@link PlatformVerifier}). Use it on a server that requires RA-TLS client
 * certificates (mode {@code KMS_CLIENT}) or on a client that checks an RA-TLS server (mode {@code
 * KMS_SERVER}): the TLS handshake itself proves that the peer holds the certificate's key, which is
 * what makes the binding mean something. The verdict is stored in the handshake session, where the
 * application reads it with {@link #verdictOf(SSLSession)}. A refusal is a {@link
 * CertificateException} naming the stage. Hostname verification is not done here; configure it on
 * the client ({@code SSLParameters.setEndpointIdentificationAlgorithm}) if the peer has a DNS name.
 *
 * <p>Immutable and thread-safe.
 */
public final class RatlsTrustManager extends X509ExtendedTrustManager {
  /** The {@link SSLSession} value name under which the peer's verdict is stored. */
  public static final String SESSION_KEY = "org.attest4j.ratls.verdict";

  private final RatlsVerifier verifier;

  private RatlsTrustManager(RatlsVerifier verifier) {
    this.verifier = verifier;
  }

  /**
   * A trust manager checking peers with {@code verifier}.
   *
   * @param verifier the verifier (its mode fits the peer: KMS_CLIENT for client certificates)
   * @return the trust manager
   */
  public static RatlsTrustManager of(RatlsVerifier verifier) {
    return new RatlsTrustManager(Objects.requireNonNull(verifier, "verifier"));
  }

  /**
   * The verdict of the peer of an established (or handshaking) TLS session.
   *
   * @param session the session
   * @return the accepted verdict, empty when the session was not checked by this trust manager
   */
  public static Optional<RatlsVerdict> verdictOf(SSLSession session) {
    Object v = session == null ? null : session.getValue(SESSION_KEY);
    return v instanceof RatlsVerdict ? Optional.of((RatlsVerdict) v) : Optional.empty();
  }

  private void check(X509Certificate[] chain, SSLSession handshake) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("RA-TLS: the peer sent no certificate");
    }
    RatlsVerdict v;
    try {
      v = verifier.verify(chain[0].getEncoded());
    } catch (CertificateEncodingException e) {
      throw new CertificateException("RA-TLS: the peer certificate cannot be encoded", e);
    }
    if (!v.accepted()) {
      throw new CertificateException("RA-TLS " + verifier.mode().label() + " check rejected the peer at "
          + v.rejectStage().get().label() + ": " + v.message().orElse(""));
    }
    if (handshake != null) {
      handshake.putValue(SESSION_KEY, v);
    }
  }

  private static SSLSession handshake(Socket socket) {
    return socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, handshake(socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, handshake(socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, null);
  }

  /**
   * No issuer list is announced: a client may send any certificate; the verifier checks its chain.
   *
   * @return an empty array
   */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
