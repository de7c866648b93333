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
  private final java.security.KeyStore inMemory;
  private final char[] password;
  private final X509TrustManager clientTrust;
  private final boolean clientCertificateRequired;

  private TlsOptions(Path keyStore, java.security.KeyStore inMemory, char[] password,
      X509TrustManager clientTrust, boolean clientCertificateRequired) {
    if ((keyStore == null) == (inMemory == null)) {
      throw new IllegalArgumentException("exactly one key store: a file or an in-memory one");
    }
    this.keyStore = keyStore;
    this.inMemory = inMemory;
    this.password = password.clone();
    this.clientTrust = clientTrust;
    this.clientCertificateRequired = clientCertificateRequired;
  }

  /**
   * TLS with the server key and certificate in a loaded PKCS#12 key store (the RA-TLS mode makes
   * its key at start and never writes it).
   *
   * @param keyStore the key store, loaded
   * @param password the key's password
   * @return the options
   */
  public static TlsOptions keyStore(java.security.KeyStore keyStore, char[] password) {
    return new TlsOptions(null, Objects.requireNonNull(keyStore, "keyStore"), password, null, false);
  }

  /**
   * These options, asking for a client certificate that {@code trust} must accept when one is
   * sent; a client without one is let through (its RPCs decide: {@code GetTempCaCert} needs none,
   * {@code GetAppKey} refuses).
   *
   * @param trust decides about client certificate chains
   * @return new options
   */
  public TlsOptions acceptClientCertificates(X509TrustManager trust) {
    return new TlsOptions(keyStore, inMemory, password, Objects.requireNonNull(trust, "trust"),
        false);
  }

  /**
   * The loaded key store, when the options were made from one.
   *
   * @return the key store
   */
  public Optional<java.security.KeyStore> inMemoryKeyStore() {
    return Optional.ofNullable(inMemory);
  }

  /**
   * Whether a client must present a certificate.
   *
   * @return true when a certificate is required
   */
  public boolean clientCertificateRequired() {
    return clientCertificateRequired;
  }

  /**
   * TLS with the server key and certificate in a PKCS#12 file.
   *
   * @param pkcs12 the key store
   * @param password its password
   * @return the options
   */
  public static TlsOptions pkcs12(Path pkcs12, char[] password) {
    return new TlsOptions(Objects.requireNonNull(pkcs12, "pkcs12"), null, password, null, false);
  }

  /**
   * These options, requiring a client certificate that {@code trust} accepts.
   *
   * @param trust decides about client certificate chains
   * @return new options
   */
  public TlsOptions requireClientCertificates(X509TrustManager trust) {
    return new TlsOptions(keyStore, inMemory, password, Objects.requireNonNull(trust, "trust"), true);
  }

  /**
   * The PKCS#12 key store file, when the options were made from one.
   *
   * @return the path, or null for an in-memory key store
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
    return "TlsOptions[" + (keyStore != null ? keyStore : "in-memory key store")
        + (clientTrust == null ? "" : clientCertificateRequired ? ", client certificates required"
            : ", client certificates checked when sent") + "]";
  }
}
