package org.attest4j.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A fake configfs-tsm in a temporary directory: creating an entry populates the attributes the
 * kernel would (provider, generation, privlevel_floor, auxblob); every write bumps generation as the
 * kernel does, and writing inblob produces outblob from it. {@link #racer} simulates another process
 * writing to the same entry.
 *
 * <p>Its public methods have the signatures of {@code org.attest4j.core.internal.ConfigfsTsm.Fs};
 * that package is exported only to attest4j modules, not to this test jar on the class path, so
 * each module's subclass adds {@code implements ConfigfsTsm.Fs} and its provider name. Not
 * thread-safe; tests set the public fields before use.
 */
public class FakeTsmTree {
  /** The provider attribute of new entries (e.g. {@code sev_guest}). */
  public String provider;
  /** The privlevel_floor attribute of new entries. */
  public int privlevelFloor = 0;
  /** The auxblob of new entries, or null for none. */
  public byte[] auxblob;
  /** Computes outblob from what was written to inblob. */
  public UnaryOperator<byte[]> outblobFor = in -> in;
  /** When true, every write bumps generation by two, as if another process wrote too. */
  public boolean racer;
  /** How many entries were created. */
  public int created;

  /** A tree whose entries report {@code provider}. */
  protected FakeTsmTree(String provider) {
    this.provider = provider;
  }

  /** As {@code ConfigfsTsm.Fs}. */
  public boolean isDirectory(Path p) {
    return Files.isDirectory(p);
  }

  /** As {@code ConfigfsTsm.Fs}. */
  public boolean exists(Path p) {
    return Files.exists(p);
  }

  /** As {@code ConfigfsTsm.Fs}. */
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

  /** As {@code ConfigfsTsm.Fs}. */
  public byte[] read(Path p) throws IOException {
    return Files.readAllBytes(p);
  }

  /** As {@code ConfigfsTsm.Fs}. */
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

  /** As {@code ConfigfsTsm.Fs}. */
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
