package org.attest4j.kms;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import org.attest4j.core.AttestationException;
import org.attest4j.kms.proto.GetAppKeyAmdRequest;
import org.attest4j.kms.proto.GetAppKeyTdxRequest;

/**
 * Jazzer harnesses for what a KMS decodes from the network and from its operator: the {@code
 * GetAppKeyAmd} / {@code GetAppKeyTdx} protobuf bodies and the whole release flow behind them,
 * their {@code ?json} form ({@link PrpcJson}), the attestation of an RA-TLS client certificate
 * ({@code VersionedAttestation}, SEV-SNP or TDX) through {@link RatlsRequest} and {@link
 * KeyReleaseService#releaseRatls}, the allow-list JSON and the auth webhook's answer.
 * Arbitrary bytes may only produce the library's typed exceptions (a protobuf that does not parse
 * is the protobuf library's refusal, as the server answers it). A normal build replays the stored
 * inputs; {@code JAZZER_FUZZ=1 mvn -pl kms test -Dtest=KmsDecodersFuzzTest#amdRelease} fuzzes.
 */
class KmsDecodersFuzzTest {
  private static final KeyReleaseService KMS;
  /** Serves SEV-SNP and TDX (a simulated platform, with an image pinned). */
  private static final KeyReleaseService BOTH;

  static {
    try {
      KMS = new Fixture().serviceBuilder(IdentityBinding.HOST_DATA).build();
      // the stored inputs' quotes come from a test-only platform (any: they share the root), so
      // they pass the signature step and reach authorization
      org.attest4j.tdx.testing.SimulatedTdxPlatform tdx =
          org.attest4j.tdx.testing.SimulatedTdxPlatform.builder().testOnlyRoot().build();
      BOTH = new Fixture().serviceBuilder(IdentityBinding.HOST_DATA)
          .tdx(tdx.verifier(tdx.clockInsideValidity()), tdx.collateral(), null)
          .tdxImage(new SyntheticTdxGuest().pinnedImage(Fixture.rep(0x0a, 32)))
          .tdxRequireKeyProvider(false)
          .build();
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The attestation a client certificate carries (V0 SCALE or V1 MessagePack), bound to a fixed
   * key, through RatlsRequest's decoding and the whole RA-TLS release.
   */
  @FuzzTest(maxDuration = "60s")
  void ratlsRelease(byte[] data) {
    RatlsRequest req;
    try {
      req = RatlsRequest.fromAttestation(org.attest4j.ratls.VersionedAttestation.parse(data).attestation(), "",
          org.attest4j.ratls.RatlsReportData.forCertificateKey(new byte[] {1, 2}));
    } catch (AttestationException expected) {
      return;
    }
    try {
      BOTH.releaseRatls(req);
    } catch (KeyReleaseException expected) {
      requireTyped(expected);
    }
  }

  /**
   * A TLS client certificate (DER or PEM) through RatlsRequest's decoding (certificate, extension,
   * attestation, binding, consistency) and the whole RA-TLS release (GetAppKey and GetKmsKey).
   */
  @FuzzTest(maxDuration = "60s")
  void ratlsClientCertificate(byte[] data) {
    RatlsRequest req;
    try {
      req = RatlsRequest.decode(data, org.attest4j.kms.proto.GetAppKeyRequest.getDefaultInstance());
    } catch (AttestationException expected) {
      return;
    }
    try {
      BOTH.releaseRatls(req);
    } catch (KeyReleaseException expected) {
      requireTyped(expected);
    }
  }

  /** SignCert's request (protobuf): CSR decoding and verification, vm_config, the whole release. */
  @FuzzTest(maxDuration = "60s")
  void signCert(byte[] data) {
    org.attest4j.kms.proto.SignCertRequest req;
    try {
      req = org.attest4j.kms.proto.SignCertRequest.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    try {
      BOTH.signCert(req);
    } catch (KeyReleaseException expected) {
      requireTyped(expected);
    }
  }

  /** The vm_config of GetAppKey, GetKmsKey and SignCert for a SEV-SNP guest. */
  @FuzzTest(maxDuration = "60s")
  void snpVmConfig(byte[] data) {
    try {
      DstackVmConfig.parseSnp(new String(data, StandardCharsets.UTF_8));
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void amdRelease(byte[] data) {
    GetAppKeyAmdRequest req;
    try {
      req = GetAppKeyAmdRequest.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    release(req);
  }

  @FuzzTest(maxDuration = "60s")
  void tdxRelease(byte[] data) {
    GetAppKeyTdxRequest req;
    try {
      req = GetAppKeyTdxRequest.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    try {
      TdxKeyReleaseRequest.fromProto(req);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
    try {
      KMS.releaseTdx(req);
    } catch (KeyReleaseException expected) {
      requireTyped(expected);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void amdReleaseJson(byte[] data) {
    GetAppKeyAmdRequest req;
    try {
      req = PrpcJson.parse(new String(data, StandardCharsets.UTF_8), GetAppKeyAmdRequest.getDefaultInstance());
    } catch (AttestationException expected) {
      return;
    }
    release(req);
  }

  @FuzzTest(maxDuration = "60s")
  void tdxRequestJson(byte[] data) {
    try {
      PrpcJson.parse(new String(data, StandardCharsets.UTF_8), GetAppKeyTdxRequest.getDefaultInstance());
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void allowListJson(byte[] data) {
    try {
      AllowListAuthorizer.fromJson(new String(data, StandardCharsets.UTF_8));
    } catch (org.attest4j.core.InvalidConfigurationException expected) {
      // an allow-list is configuration: its typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void webhookAnswer(byte[] data) {
    try {
      WebhookAuthorizer.parseDecision(new String(data, StandardCharsets.UTF_8));
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  private static void release(GetAppKeyAmdRequest req) {
    try {
      KMS.release(req);
    } catch (KeyReleaseException expected) {
      requireTyped(expected);
    }
  }

  /** A refusal must name a real reason, never the catch-all for an unexpected runtime exception. */
  private static void requireTyped(KeyReleaseException e) {
    if (e.refusal().reason() == KmsReason.INTERNAL_ERROR) {
      throw new AssertionError("the flow failed with an unexpected exception: " + e.getMessage(), e);
    }
  }
}
