package org.attest4j.kms;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.util.List;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.MalformedEvidenceException;
import org.attest4j.crypto.AppKeyDeriver;
import org.attest4j.crypto.AppKeys;
import org.attest4j.crypto.EnvEncryptPublicKey;
import org.attest4j.crypto.EnvelopeMode;
import org.attest4j.crypto.KmsIdentity;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.Pr630Envelope;
import org.attest4j.crypto.ReportData;
import org.attest4j.crypto.SealBinding;
import org.attest4j.crypto.SealedResponse;
import org.attest4j.kms.proto.AppKeyAmdResponse;
import org.attest4j.kms.proto.AppKeyResponse;
import org.attest4j.kms.proto.PublicKeyResponse;

/**
 * Steps 5, 6, 8 and 9 over the crypto module. Thread-safe: {@link Keys} is immutable but for a
 * volatile one-entry memo of the CA certificate PEM as UTF-8 (public data). Internal.
 */
final class CryptoAdapter {
  private CryptoAdapter() {}

  /** MrConfigV3 parsing. */
  static final Ports.IdentityDocumentPort IDENTITY_DOCUMENTS =
      document -> {
        MrConfigV3 doc = MrConfigV3.parse(document.toByteArray());
        return new Ports.IdentityDocument(
            doc.appId().orElse(Bytes.empty()),
            doc.composeHash(),
            doc.instanceId().orElse(Bytes.empty()),
            doc.keyProvider().jsonValue(),
            doc.keyProviderId(),
            doc.hostData());
      };

  /** report_data parsing and binding checks. */
  static final Ports.ReportDataPort REPORT_DATA =
      new Ports.ReportDataPort() {
        @Override
        public Object parse(Bytes reportData) throws AttestationException {
          return ReportData.parse(reportData.toByteArray());
        }

        @Override
        public void checkNonce(Object reportData, Bytes nonce) throws AttestationException {
          ((ReportData) reportData).checkNonce(nonce);
        }

        @Override
        public void checkRequestDigest(Object reportData, Bytes digest) throws AttestationException {
          ((ReportData) reportData).checkRequestDigest(digest);
        }
      };

  /** Key derivation and sealing with the KMS root keys. */
  static final class Keys implements Ports.KeyPort {
    private final AppKeyDeriver deriver;
    private final KmsIdentity identity;
    private final Bytes rootCaSpki;
    private final Bytes rootK256;
    private final KmsRootKeys roots;
    /** The CA certificate PEM as UTF-8, for the PEM a service passes each time (encoded once). */
    private volatile CaCert caCert;

    private record CaCert(String pem, ByteString utf8) {}

    Keys(KmsRootKeys roots) {
      this.roots = roots;
      this.deriver = AppKeyDeriver.of(roots);
      this.identity = roots.sealingIdentity();
      this.rootCaSpki = roots.rootCaPublicKeySpki();
      this.rootK256 = roots.rootK256PublicKey();
    }

    @Override
    public Object derive(Bytes appId, Bytes instanceId) throws AttestationException {
      return deriver.derive(appId, instanceId);
    }

    @Override
    public AppKeyAmdResponse seal(Object derived, EnvelopeMode mode, Ports.SealContext ctx)
        throws AttestationException {
      AppKeys k = (AppKeys) derived;
      ReportData rd = (ReportData) ctx.reportData();
      AppKeyAmdResponse.Builder out =
          AppKeyAmdResponse.newBuilder()
              .setCaCertBytes(caCertUtf8(ctx.caCertPem()))
              .setK256Signature(fresh(k.k256Signature().toByteArray()))
              .setTproxyAppId(ctx.gatewayAppId())
              .setGatewayAppId(ctx.gatewayAppId())
              .setOsImageHash(fresh(ctx.osImageHash().toByteArray()));
      if (mode == EnvelopeMode.HPKE_V1) {
        byte[] plaintext = plain(derived, ctx).toByteArray();
        try {
          SealBinding binding = SealBinding.forEvidence(rd, ctx.report().toByteArray());
          SealedResponse env = SealedResponse.encrypt(identity, binding, plaintext);
          return out.setEnvelope(org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_HPKE_V1)
              .setSealedKeys(fresh(env.toBytes()))
              .build();
        } finally {
          java.util.Arrays.fill(plaintext, (byte) 0);
        }
      }
      Pr630Envelope env =
          SealedResponse.encryptPr630(
              rd.x25519PublicKey(), List.of(k.diskCryptKey(), k.envCryptKey(), k.k256Key()));
      return out.setEnvelope(org.attest4j.kms.proto.EnvelopeMode.ENVELOPE_AES_SIV_PR630)
          .setDiskCryptKey(fresh(env.ciphertext(0)))
          .setEnvCryptKey(fresh(env.ciphertext(1)))
          .setK256Key(fresh(env.ciphertext(2)))
          .setKeyProviderPubkey(fresh(env.keyProviderPublicKey().toByteArray()))
          .build();
    }

    @Override
    public AppKeyResponse plain(Object derived, Ports.SealContext ctx) {
      AppKeys k = (AppKeys) derived;
      return AppKeyResponse.newBuilder()
          .setCaCertBytes(caCertUtf8(ctx.caCertPem()))
          .setDiskCryptKey(fresh(k.diskCryptKey()))
          .setEnvCryptKey(fresh(k.envCryptKey()))
          .setK256Key(fresh(k.k256Key()))
          .setK256Signature(fresh(k.k256Signature().toByteArray()))
          .setTproxyAppId(ctx.gatewayAppId())
          .setGatewayAppId(ctx.gatewayAppId())
          .setOsImageHash(fresh(ctx.osImageHash().toByteArray()))
          .build();
    }

    /**
     * Wraps an array that the caller has just made (a copy from an accessor) and that nothing else
     * holds or changes: the protobuf field takes it as is instead of copying it again.
     */
    private static ByteString fresh(byte[] copy) {
      return UnsafeByteOperations.unsafeWrap(copy);
    }

    private ByteString caCertUtf8(String pem) {
      CaCert c = caCert;
      if (c == null || !c.pem().equals(pem)) {
        c = new CaCert(pem, ByteString.copyFromUtf8(pem));
        caCert = c;
      }
      return c.utf8();
    }

    @Override
    public List<String> signCert(Object derived, org.attest4j.ratls.KmsCertificateAuthority ca,
        org.attest4j.ratls.CertSigningRequest csr, org.attest4j.ratls.AppInfo appInfo) {
      return ca.signCert(csr, (AppKeys) derived, java.util.Optional.of(appInfo));
    }

    @Override
    public org.attest4j.kms.proto.KmsKeyResponse kmsKeys(String tempCaKeyPem) {
      byte[] k256 = roots.rootK256Key();
      try {
        return org.attest4j.kms.proto.KmsKeyResponse.newBuilder()
            .setTempCaKey(tempCaKeyPem)
            .addKeys(org.attest4j.kms.proto.KmsKeys.newBuilder()
                .setCaKey(roots.rootCaKeyPem())
                .setK256Key(ByteString.copyFrom(k256)))
            .build();
      } finally {
        java.util.Arrays.fill(k256, (byte) 0);
      }
    }

    @Override
    public PublicKeyResponse envEncryptPublicKey(Bytes appId, long timestampSeconds) throws MalformedEvidenceException {
      EnvEncryptPublicKey p = deriver.envEncryptPublicKey(appId, timestampSeconds);
      return PublicKeyResponse.newBuilder()
          .setPublicKey(ByteString.copyFrom(p.publicKey().toByteArray()))
          .setSignature(ByteString.copyFrom(p.signature().toByteArray()))
          .setTimestamp(p.timestamp())
          .setSignatureV1(ByteString.copyFrom(p.signatureV1().toByteArray()))
          .build();
    }

    @Override
    public Bytes rootCaSpki() {
      return rootCaSpki;
    }

    @Override
    public Bytes rootK256PublicKey() {
      return rootK256;
    }
  }
}
