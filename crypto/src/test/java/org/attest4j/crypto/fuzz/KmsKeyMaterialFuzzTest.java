package org.attest4j.crypto.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.AttestationException;
import org.attest4j.crypto.KmsRootKeys;
import org.attest4j.crypto.MrConfigV3;
import org.attest4j.crypto.Pr630Envelope;
import org.attest4j.crypto.RootCaCertificate;
import org.attest4j.crypto.X25519KeyPair;

/**
 * Jazzer harnesses for the KMS key material and identity documents: MrConfigV3, root-key PEM
 * loading, the root CA certificate (PEM and DER) and the PR #630 envelope. Arbitrary bytes may
 * only produce the library's typed exceptions. A normal build replays the stored inputs; {@code
 * JAZZER_FUZZ=1 mvn -pl crypto test -Dtest=KmsKeyMaterialFuzzTest#mrConfigParse} fuzzes.
 */
class KmsKeyMaterialFuzzTest {
  private static final KmsRootKeys KEYS = KmsRootKeys.generate(new SecureRandom());
  private static final X25519KeyPair GUEST = X25519KeyPair.generate(new SecureRandom());

  @FuzzTest(maxDuration = "60s")
  void mrConfigParse(byte[] data) {
    try {
      MrConfigV3.parse(data).documentBytes();
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void rootKeyPemLoad(FuzzedDataProvider in) {
    byte[] k256 = in.consumeBytes(in.consumeInt(0, 40));
    String pem = in.consumeRemainingAsString();
    try {
      KmsRootKeys.fromEncoded(pem, k256);
    } catch (org.attest4j.core.InvalidConfigurationException expected) {
      // key material is configuration: its typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void rootCaCertificateParse(FuzzedDataProvider in) {
    boolean pem = in.consumeBoolean();
    byte[] data = in.consumeRemainingAsBytes();
    try {
      if (pem) {
        RootCaCertificate.parsePem(new String(data, StandardCharsets.US_ASCII), KEYS);
      } else {
        RootCaCertificate.parseDer(data, KEYS);
      }
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void pr630EnvelopeOpen(FuzzedDataProvider in) {
    byte[] providerKey = in.consumeBytes(in.consumeInt(0, 40));
    List<byte[]> fields = new ArrayList<>();
    int n = in.consumeInt(0, 4);
    for (int i = 0; i < n; i++) {
      fields.add(in.consumeBytes(in.consumeInt(0, 200)));
    }
    try {
      Pr630Envelope.of(Bytes.of(providerKey), fields).open(GUEST);
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
