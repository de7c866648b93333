package org.attest4j.azure.guest;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real software TPM for tests: Debian's {@code swtpm} (installed by {@code .ci/run}) in socket mode on
 * free loopback ports with a fresh state directory, started with {@code --flags startup-clear}, killed
 * and cleaned up on close.
 */
final class Swtpm implements AutoCloseable {
  private final Process process;
  private final Path state;
  final InetSocketAddress server;

  private Swtpm(Process process, Path state, InetSocketAddress server) {
    this.process = process;
    this.state = state;
    this.server = server;
  }

  static Swtpm start() throws IOException {
    Path bin = Stream.of("/usr/bin/swtpm", "/usr/local/bin/swtpm").map(Path::of).filter(Files::isExecutable)
        .findFirst().orElse(null);
    Assumptions.assumeTrue(bin != null, "swtpm is not installed (apt-get install -y swtpm; .ci/run does it)");
    Path state = Files.createTempDirectory("attest4j-swtpm");
    int port = freePort();
    int ctrl = freePort();
    Process p = new ProcessBuilder(List.of(bin.toString(), "socket", "--tpm2",
        "--tpmstate", "dir=" + state,
        "--server", "type=tcp,port=" + port + ",bindaddr=127.0.0.1",
        "--ctrl", "type=tcp,port=" + ctrl + ",bindaddr=127.0.0.1",
        "--flags", "not-need-init,startup-clear"))
        .redirectErrorStream(true).redirectOutput(new File("/dev/null")).start();
    InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) { // wait until swtpm listens (readiness, not a timing assumption)
      try (Socket s = new Socket()) {
        s.connect(addr, 1000);
        break;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IOException("swtpm did not start listening on " + addr, e);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    return new Swtpm(p, state, addr);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (Stream<Path> s = Files.walk(state)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
