package org.attest4j.snp.idblock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.interfaces.ECPrivateKey;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.attest4j.core.AttestationException;
import org.attest4j.core.Bytes;
import org.attest4j.core.VerificationException;

/** Round trips and sign/verify over arbitrary fields; arbitrary bytes only give typed refusals. */
class IdBlockPropertiesTest {
  private static final ECPrivateKey ID;
  private static final ECPrivateKey AUTHOR;

  static {
    try {
      ID = IdAuth.privateKeyFromPem(IdBlockTest.ID_KEY_PEM);
      AUTHOR = IdAuth.privateKeyFromPem(IdBlockTest.AUTHOR_KEY_PEM);
    } catch (AttestationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Property(tries = 200)
  void blockRoundTrips(
      @ForAll @Size(48) byte[] ld,
      @ForAll @Size(16) byte[] family,
      @ForAll @Size(16) byte[] image,
      @ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long svn,
      @ForAll long policy)
      throws Exception {
    IdBlock b = IdBlock.builder().launchDigest(Bytes.of(ld)).familyId(Bytes.of(family)).imageId(Bytes.of(image))
        .guestSvn(svn).policy(policy).build();
    IdBlock p = IdBlock.parse(b.toByteArray());
    assertEquals(b, p);
    assertEquals(Bytes.of(ld), p.launchDigest());
    assertEquals(svn, p.guestSvn());
    assertEquals(policy, p.policy());
  }

  @Property(tries = 25)
  void signedBlocksVerifyAndOthersDoNot(@ForAll @Size(48) byte[] ld, @ForAll long policy, @ForAll long otherPolicy)
      throws Exception {
    IdBlock b = IdBlock.builder().launchDigest(Bytes.of(ld)).policy(policy).build();
    IdAuth a = IdAuth.sign(b, ID, AUTHOR);
    IdAuth parsed = IdAuth.parse(a.toByteArray());
    assertArrayEquals(a.toByteArray(), parsed.toByteArray());
    parsed.verify(b);
    assertTrue(IdBlockTest.independentlyValid(b.toByteArray(), a.toByteArray()));
    if (otherPolicy != policy) {
      IdBlock other = IdBlock.builder().launchDigest(Bytes.of(ld)).policy(otherPolicy).build();
      assertThrows(VerificationException.class, () -> parsed.verify(other));
    }
  }

  @Property(tries = 300)
  void arbitraryKeysAreRefusedWithATypedException(@ForAll @Size(EcdsaPublicKey.LENGTH) byte[] key) {
    key[0] = 2;
    key[1] = key[2] = key[3] = 0;
    try {
      EcdsaPublicKey.parse(key);
    } catch (AttestationException expected) {
      // typed refusal
    }
  }
}
