package org.attest4j.bench;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.attest4j.core.Bytes;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.kms.KmsEndorsements;
import org.attest4j.ratls.Attestation;
import org.attest4j.ratls.DstackPlatformVerifier;
import org.attest4j.ratls.KmsCertificateAuthority;
import org.attest4j.ratls.PlatformEvidence;
import org.attest4j.ratls.PlatformVerifier;
import org.attest4j.ratls.RatlsCertificateBuilder;
import org.attest4j.ratls.RatlsReportData;
import org.attest4j.ratls.RatlsVerdict;
import org.attest4j.ratls.RatlsVerifier;
import org.attest4j.ratls.StackEvidence;
import org.attest4j.ratls.VersionedAttestation;
import org.attest4j.ratls.WireFormat;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.tdx.TdxVerifier;

/**
 * The RA-TLS setting the RA-TLS benchmarks share: a KMS certificate authority from fresh root keys,
 * its {@code kms:rpc} server certificate, and a SEV-SNP guest's client certificate from the temp CA
 * whose V0 attestation (a report of the simulated Genoa platform, its VCEK in {@code cert_chain},
 * an MrConfigV3 that HOST_DATA measures) binds the certificate key, as {@code GuestAgent --simulate
 * --ratls} makes it. Verifiers in mode {@code kms-client}: offline (chain, binding, evidence
 * consistency) and full (plus the vendor signatures through {@link DstackPlatformVerifier} with the
 * platform's ASK/ARK as endorsements). Immutable after construction.
 */
final class RatlsFixture {
  static final String MR_CONFIG = "{\"app_id\":\"" + "11".repeat(20) + "\",\"version\":3}";

  final SimulatedSnpPlatform platform;
  final Clock clock;
  final KmsCertificateAuthority ca;
  final KeyPair guestKey;
  final byte[] guestCertificate;
  final KeyPair serverKey;
  final List<byte[]> serverChain;
  final PlatformVerifier vendor;

  RatlsFixture() throws Exception {
    platform = SimulatedSnpPlatform.create(Product.GENOA);
    clock = platform.clockInsideValidity();
    ca = KmsCertificateAuthority.of(KmsRootKeys.generate(new SecureRandom(), clock), clock);
    guestKey = p256();
    Bytes rd = RatlsReportData.forCertificateKey(guestKey.getPublic().getEncoded());
    byte[] report = platform.reportBuilder().reportData(rd.toByteArray())
        .hostData(MrConfigV3.hostDataOf(MR_CONFIG.getBytes(StandardCharsets.UTF_8)).toByteArray()).sign();
    Attestation a = new Attestation(
        new PlatformEvidence.SevSnp(Bytes.of(report), List.of(Bytes.of(platform.vekDer())), MR_CONFIG),
        new StackEvidence.Dstack(rd, List.of(), "{}"));
    guestCertificate = RatlsCertificateBuilder.forKey(guestKey)
        .issuer(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII), ca.tempCaKeyPair().getPrivate())
        .attestation(VersionedAttestation.of(WireFormat.V0_SCALE, a))
        .buildDer();
    serverKey = p256();
    serverChain = ca.rpcCertificateChain(serverKey, "127.0.0.1", Optional.empty());
    vendor = DstackPlatformVerifier.of(platform.verifier(clock),
        KmsEndorsements.certChain(platform.certChainPem()),
        TdxVerifier.builder().clock(clock).build(), q -> Optional.empty());
  }

  /** Mode kms-client under the temp CA; with the vendor signatures when {@code full}. */
  RatlsVerifier clientVerifier(boolean full) {
    RatlsVerifier.Builder b = RatlsVerifier.builder(RatlsVerifier.Mode.KMS_CLIENT)
        .trustedCa(ca.tempCaCertificatePem().getBytes(StandardCharsets.US_ASCII)).clock(clock);
    if (full) {
      b.platformVerifier(vendor);
    }
    return b.build();
  }

  /** Mode kms-server under the root CA (the guest's check of the KMS). */
  RatlsVerifier serverVerifier() {
    return RatlsVerifier.builder(RatlsVerifier.Mode.KMS_SERVER)
        .trustedCa(ca.rootCaCertificatePem().getBytes(StandardCharsets.US_ASCII)).clock(clock).build();
  }

  /** Fails unless {@code v} accepted (and, when {@code full}, checked the vendor signatures). */
  static RatlsVerdict accepted(RatlsVerdict v, boolean full) {
    if (!v.accepted() || v.vendorChecked() != full) {
      throw new IllegalStateException("the benchmark certificate is not accepted as expected: " + v);
    }
    return v;
  }

  static KeyPair p256() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }
}
