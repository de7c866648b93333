package org.attest4j.examples.kms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a main class of this module as a separate JVM with the test class path. */
final class JavaProcess implements AutoCloseable {
  final Process process;
  final BufferedReader stdout;
  final Path stderrFile;

  private JavaProcess(Process process, Path stderrFile) {
    this.process = process;
    this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.stderrFile = stderrFile;
  }

  static JavaProcess start(Path workDir, Class<?> main, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectError(err.toFile()).start();
    return new JavaProcess(p, err);
  }

  /** The next line of standard output (null at its end). */
  String readLine() throws IOException {
    return stdout.readLine();
  }

  /** Waits for the exit (at most 2 minutes) and returns the status. */
  int waitFor() throws Exception {
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("process did not exit");
    }
    return process.exitValue();
  }

  String stdoutRest() throws IOException {
    StringBuilder b = new StringBuilder();
    String l;
    while ((l = stdout.readLine()) != null) {
      b.append(l).append('\n');
    }
    return b.toString();
  }

  String stderr() throws IOException {
    return Files.readString(stderrFile);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
