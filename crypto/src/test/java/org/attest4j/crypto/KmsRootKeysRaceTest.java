package org.attest4j.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.attest4j.core.MalformedEvidenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13 item 4: first starts racing on one key directory. */
class KmsRootKeysRaceTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final SecureRandom RNG = new SecureRandom();

  @Test
  void threeHundredRacingFirstStartsServeTheOneSetOfKeysOnDisk(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("keys");
    int starts = 300;
    ExecutorService pool = Executors.newFixedThreadPool(32);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<KmsRootKeys>> results = new ArrayList<>();
      for (int i = 0; i < starts; i++) {
        results.add(pool.submit(() -> {
          go.await();
          return KmsRootKeys.loadOrCreate(dir, RNG, CLOCK);
        }));
      }
      go.countDown();
      KmsRootKeys onDisk = null;
      List<KmsRootKeys> served = new ArrayList<>();
      for (Future<KmsRootKeys> f : results) {
        served.add(f.get());
      }
      onDisk = KmsRootKeys.loadDirectory(dir, CLOCK);
      String crt = Files.readString(dir.resolve(KmsRootKeys.ROOT_CA_CERT_FILE));
      for (KmsRootKeys k : served) {
        assertEquals(onDisk, k, "an instance serves keys that are not on disk");
        assertEquals(crt, k.rootCaCertificatePem(), "an instance serves another root CA certificate");
      }
      assertTrue(onDisk.rootCaCertificate().certifies(onDisk));
      try (Stream<Path> files = Files.list(dir)) {
        // the three files and the lock file: no temporary file left behind
        assertEquals(4, files.count());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void racingFirstStartsInFourProcessesServeTheOneSetOfKeysOnDisk(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("keys");
    int processes = 4;
    int threads = 25;
    List<Process> procs = new ArrayList<>();
    List<java.io.BufferedReader> outs = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    KeyDirectoryRaceMain.class.getName(),
                    dir.toString(),
                    Integer.toString(threads))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        procs.add(p);
        outs.add(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)));
      }
      for (java.io.BufferedReader r : outs) {
        assertEquals("ready", r.readLine());
      }
      for (Process p : procs) { // all processes start their threads at once
        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
      }
      List<String> served = new ArrayList<>();
      for (java.io.BufferedReader r : outs) {
        for (int i = 0; i < threads; i++) {
          String line = r.readLine();
          assertTrue(line != null, "a process failed to start on the directory");
          served.add(line);
        }
      }
      for (Process p : procs) {
        assertTrue(p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) && p.exitValue() == 0);
      }
      KmsRootKeys onDisk = KmsRootKeys.loadDirectory(dir, CLOCK);
      String expected =
          onDisk + " " + java.util.HexFormat.of().formatHex(Kdf.sha256(onDisk.rootCaCertificateDer()));
      assertEquals(processes * threads, served.size());
      for (String s : served) {
        assertEquals(expected, s, "a process serves keys or a certificate that are not on disk");
      }
    } finally {
      procs.forEach(Process::destroyForcibly);
    }
  }

  @Test
  void aHalfWrittenDirectoryIsRefusedWithWhatToDo(@TempDir Path dir) throws Exception {
    KmsRootKeys keys = KmsRootKeys.generate(RNG, CLOCK);
    Files.write(dir.resolve(KmsRootKeys.ROOT_K256_KEY_FILE), keys.rootK256Key());
    MalformedEvidenceException e =
        assertThrows(MalformedEvidenceException.class, () -> KmsRootKeys.loadOrCreate(dir, RNG, CLOCK));
    assertEquals(CryptoReason.KEY_DIRECTORY_INCOMPLETE, e.reason());
    assertTrue(e.getMessage().contains("half-written") && e.getMessage().contains("root-ca.key"), e.getMessage());
    assertTrue(e.getMessage().contains("restore"), e.getMessage());
    // nothing was generated over it
    assertTrue(Files.notExists(dir.resolve(KmsRootKeys.ROOT_CA_KEY_FILE)));

    Path other = dir.resolve("cert-only");
    Files.createDirectories(other);
    Files.writeString(other.resolve(KmsRootKeys.ROOT_CA_CERT_FILE), keys.rootCaCertificatePem());
    assertEquals(
        CryptoReason.KEY_DIRECTORY_INCOMPLETE,
        assertThrows(MalformedEvidenceException.class, () -> KmsRootKeys.loadOrCreate(other, RNG, CLOCK)).reason());
  }

  @Test
  void aCompleteDirectoryIsLoadedNotReplaced(@TempDir Path dir) throws Exception {
    KmsRootKeys first = KmsRootKeys.loadOrCreate(dir, RNG, CLOCK);
    KmsRootKeys again = KmsRootKeys.loadOrCreate(dir, RNG, CLOCK);
    assertEquals(first, again);
    assertEquals(first.rootCaCertificatePem(), again.rootCaCertificatePem());
    // a dstack directory without root-ca.crt gets one, once
    Files.delete(dir.resolve(KmsRootKeys.ROOT_CA_CERT_FILE));
    KmsRootKeys withNewCert = KmsRootKeys.loadOrCreate(dir, RNG, CLOCK);
    assertEquals(first, withNewCert);
    assertEquals(
        Files.readString(dir.resolve(KmsRootKeys.ROOT_CA_CERT_FILE)), withNewCert.rootCaCertificatePem());
  }
}
