package org.attest4j.snp.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.attest4j.core.AttestationException;
import org.attest4j.snp.idblock.EcdsaPublicKey;
import org.attest4j.snp.idblock.IdAuth;
import org.attest4j.snp.idblock.IdBlock;

/**
 * Jazzer harnesses for the ID block decoders: arbitrary bytes may only produce the library's typed
 * exceptions, and what parses re-encodes to the same bytes. A normal build replays the stored
 * inputs (a block and an ID auth made with snp-create-id-block's test keys); {@code JAZZER_FUZZ=1
 * mvn -pl snp test -Dtest=IdBlockFuzzTest#idAuthParse} fuzzes for {@code maxDuration}.
 */
class IdBlockFuzzTest {
  private static final byte[] BLOCK = new byte[IdBlock.LENGTH];

  static {
    BLOCK[0x50] = 1;
  }

  @FuzzTest(maxDuration = "60s")
  void idBlockParse(byte[] data) {
    try {
      IdBlock b = IdBlock.parse(data);
      if (!Arrays.equals(b.toByteArray(), data)) {
        throw new AssertionError("toByteArray() does not round-trip");
      }
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void idAuthParse(byte[] data) {
    // fuzzed prefixes of an ID auth: keep the length right most of the time
    byte[] auth = data.length < IdAuth.LENGTH && data.length > 0 && (data[0] & 1) == 0
        ? Arrays.copyOf(data, IdAuth.LENGTH)
        : data;
    try {
      IdAuth a = IdAuth.parse(auth);
      if (!Arrays.equals(a.toByteArray(), auth)) {
        throw new AssertionError("toByteArray() does not round-trip");
      }
      a.verify(IdBlock.parse(BLOCK));
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }

  @FuzzTest(maxDuration = "60s")
  void publicKeyParse(byte[] data) {
    try {
      EcdsaPublicKey k = EcdsaPublicKey.parse(data);
      if (!Arrays.equals(k.toByteArray(), data)) {
        throw new AssertionError("toByteArray() does not round-trip");
      }
    } catch (AttestationException expected) {
      // a typed refusal is the only allowed failure
    }
  }
}
