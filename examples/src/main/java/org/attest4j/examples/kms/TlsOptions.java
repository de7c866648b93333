package org.attest4j.examples.kms;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for the example server: the server certificate and key from a PKCS#12 key store, and
 * optionally a custom {@link X509TrustManager} that decides about client certificates (the hook an
 * RA-TLS step plugs in: a trust manager that verifies the attestation inside the client's
 * certificate instead of a CA chain). With a client trust manager, a client certificate is
 * required; without one, none is asked for.
 *
 * <p>Immutable and thread-safe (the password array is copied in and out).
 */
public final class TlsOptions {
  private final Path keyStore;
  private final char[] password;
  private final X509TrustManager clientTrust;

  private TlsOptions(Path keyStore, char[] password, X509TrustManager clientTrust) {
    this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
    this.password = password.clone();
    this.clientTrust = clientTrust;
  }

  /**
   * TLS with the server key and certificate in a PKCS#12 file.
   *
   * @param pkcs12 the key store
   * @param password its password
   * @return the options
   */
  public static TlsOptions pkcs12(Path pkcs12, char[] password) {
    return new TlsOptions(pkcs12, password, null);
  }

  /**
   * These options, requiring a client certificate that {@code trust} accepts.
   *
   * @param trust decides about client certificate chains
   * @return new options
   */
  public TlsOptions requireClientCertificates(X509TrustManager trust) {
    return new TlsOptions(keyStore, password, Objects.requireNonNull(trust, "trust"));
  }

  /**
   * The PKCS#12 key store.
   *
   * @return the path
   */
  public Path keyStore() {
    return keyStore;
  }

  /**
   * The key store password.
   *
   * @return a copy
   */
  public char[] password() {
    return password.clone();
  }

  /**
   * The client-certificate trust decision, if client certificates are required.
   *
   * @return the trust manager
   */
  public Optional<X509TrustManager> clientTrust() {
    return Optional.ofNullable(clientTrust);
  }

  @Override
  public String toString() {
    return "TlsOptions[" + keyStore + (clientTrust != null ? ", client certificates required" : "") + "]";
  }
}
