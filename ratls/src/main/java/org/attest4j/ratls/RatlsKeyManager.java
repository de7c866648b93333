package org.attest4j.ratls;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A JSSE key manager that always presents one RA-TLS certificate (and its issuer chain) with its
 * private key, as a client (guest → KMS) or as a server (the KMS RPC certificate). Immutable and
 * thread-safe.
 */
public final class RatlsKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "ratls";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  private RatlsKeyManager(PrivateKey key, X509Certificate[] chain) {
    this.key = key;
    this.chain = chain;
  }

  /**
   * A key manager for one certificate.
   *
   * @param key the certificate's private key
   * @param certificateDer the RA-TLS certificate, then optionally its issuers (DER or PEM each)
   * @return the key manager
   * @throws IllegalArgumentException when a certificate cannot be read
   */
  public static RatlsKeyManager of(PrivateKey key, byte[]... certificateDer) {
    Objects.requireNonNull(key, "key");
    if (certificateDer.length == 0) {
      throw new IllegalArgumentException("at least the RA-TLS certificate is needed");
    }
    X509Certificate[] chain = new X509Certificate[certificateDer.length];
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      for (int i = 0; i < chain.length; i++) {
        chain[i] = (X509Certificate) f.generateCertificate(new ByteArrayInputStream(certificateDer[i]));
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException("not an X.509 certificate: " + e.getMessage(), e);
    }
    return new RatlsKeyManager(key, chain);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }

  @Override
  public String toString() {
    return "RatlsKeyManager[" + chain[0].getSubjectX500Principal() + "]";
  }
}
