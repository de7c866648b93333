package org.attest4j.tdx.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.core.internal.ConfigfsTsm;
import org.attest4j.testsupport.SharedData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TDX quotes through configfs-tsm on a fake tree in a temporary directory. */
class ConfigfsTsmTdxTest {
  @TempDir Path tmp;
  Path root;
  FakeTsmFs fs;
  byte[] quote;
  byte[] inblob;
  final AtomicInteger names = new AtomicInteger();

  @BeforeEach
  void tree() throws Exception {
    root = Files.createDirectories(tmp.resolve("tsm/report"));
    fs = new FakeTsmFs();
    quote = SharedData.bytes("vectors/tdx/dcapqvl-v4-b0c06f-uptodate/quote.bin");
    fs.outblobFor =
        in -> {
          inblob = in;
          return quote;
        };
  }

  ConfigfsTsm tsm() {
    return ConfigfsTsm.of(root, fs, () -> "q" + names.incrementAndGet());
  }

  @Test
  void quoteComesFromOutblob() throws Exception {
    TdxGuestQuote q = ConfigfsTsmTdxProvider.detect(tsm()).getQuote(new byte[] {1, 2});
    assertArrayEquals(quote, q.quote());
    assertArrayEquals(Arrays.copyOf(new byte[] {1, 2}, 64), inblob);
    assertEquals(4, q.parse().version());
    assertTrue(q.source().contains("tdx_guest"), q.source());
    try (Stream<Path> s = Files.list(root)) {
      assertEquals(0, s.count());
    }
  }

  @Test
  void generationMismatchIsRefused() {
    fs.racer = true;
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> new ConfigfsTsmTdxProvider(tsm()).getQuote(new byte[64]));
    assertEquals(TdxGuestReason.GENERATION_MISMATCH, e.reason());
    assertTrue(e.isRetryable());
  }

  @Test
  void quoteServiceFailureIsRetryableWithAHint() {
    fs.failOutblob = true;
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> new ConfigfsTsmTdxProvider(tsm()).getQuote(new byte[64]));
    assertEquals(TdxGuestReason.QUOTE_GENERATION_FAILED, e.reason());
    assertTrue(e.getMessage().contains("QGS"), e.getMessage());
  }

  @Test
  void anSnpGuestIsNotATdxGuest() {
    fs.provider = "sev_guest";
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> ConfigfsTsmTdxProvider.detect(tsm()));
    assertEquals(TdxGuestReason.WRONG_PROVIDER, e.reason());
  }

  @Test
  void noConfigfsIsAClearError() {
    EvidenceUnavailableException e =
        assertThrows(EvidenceUnavailableException.class, () -> TdxQuoteProvider.detect(tmp.resolve("none")));
    assertEquals(TdxGuestReason.NO_GUEST_INTERFACE, e.reason());
    assertTrue(e.getMessage().contains("none"), e.getMessage());
  }

  @Test
  void reportDataLongerThan64BytesIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ConfigfsTsmTdxProvider(tsm()).getQuote(new byte[65]));
  }
}
