package org.attest4j.tdx.guest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.attest4j.core.internal.ConfigfsTsm;

/**
 * A fake configfs-tsm in a temporary directory: creating an entry populates the attributes the
 * kernel would (provider, generation, privlevel_floor, auxblob); every write bumps generation as the
 * kernel does, and writing inblob produces outblob from it. {@link #racer} simulates another process
 * writing to the same entry.
 */
class FakeTsmFs implements ConfigfsTsm.Fs {
  String provider = "tdx_guest";
  boolean failOutblob;
  int privlevelFloor = 0;
  byte[] auxblob;
  UnaryOperator<byte[]> outblobFor = in -> in;
  boolean racer;
  int created;

  @Override
  public boolean isDirectory(Path p) {
    return Files.isDirectory(p);
  }

  @Override
  public boolean exists(Path p) {
    return Files.exists(p);
  }

  @Override
  public void createDirectory(Path p) throws IOException {
    Files.createDirectory(p);
    created++;
    text(p.resolve("provider"), provider + "\n");
    text(p.resolve("generation"), "0\n");
    text(p.resolve("privlevel_floor"), privlevelFloor + "\n");
    if (auxblob != null) {
      Files.write(p.resolve("auxblob"), auxblob);
    }
    Files.write(p.resolve("outblob"), new byte[0]);
  }

  @Override
  public byte[] read(Path p) throws IOException {
    if (failOutblob && p.getFileName().toString().equals("outblob")) {
      throw new IOException("Input/output error");
    }
    return Files.readAllBytes(p);
  }

  @Override
  public void write(Path p, byte[] data) throws IOException {
    Files.write(p, data);
    Path gen = p.resolveSibling("generation");
    long g = Long.parseLong(new String(Files.readAllBytes(gen), StandardCharsets.US_ASCII).trim());
    g += racer ? 2 : 1;
    text(gen, g + "\n");
    if (p.getFileName().toString().equals("inblob")) {
      Files.write(p.resolveSibling("outblob"), outblobFor.apply(data));
    }
  }

  @Override
  public void removeEntry(Path entry) throws IOException {
    try (Stream<Path> s = Files.walk(entry)) {
      for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(x);
      }
    }
  }

  private static void text(Path p, String s) throws IOException {
    Files.write(p, s.getBytes(StandardCharsets.US_ASCII));
  }
}
