package org.attest4j.crypto;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One process of {@link KmsRootKeysRaceTest}: prints "ready", waits for a line on stdin, then
 * starts {@code args[1]} threads that each call {@link KmsRootKeys#loadOrCreate} on {@code args[0]}
 * and prints one line per start: the CA key id and the SHA-256 of the root CA certificate it serves.
 */
public final class KeyDirectoryRaceMain {
  private KeyDirectoryRaceMain() {}

  /**
   * Runs the starts.
   *
   * @param args the key directory and the number of threads
   * @throws Exception if a start fails
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> starts = new ArrayList<>();
    SecureRandom rng = new SecureRandom();
    for (int i = 0; i < threads; i++) {
      starts.add(pool.submit(() -> {
        go.await();
        KmsRootKeys k = KmsRootKeys.loadOrCreate(dir, rng, Clock.systemUTC());
        return k + " " + HexFormat.of().formatHex(Kdf.sha256(k.rootCaCertificateDer()));
      }));
    }
    System.out.println("ready");
    System.out.flush();
    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    go.countDown();
    for (Future<String> f : starts) {
      System.out.println(f.get());
    }
    pool.shutdown();
  }
}
