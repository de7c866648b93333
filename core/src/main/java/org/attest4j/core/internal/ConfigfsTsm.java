package org.attest4j.core.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The Linux configfs-tsm report interface ({@code /sys/kernel/config/tsm/report}, Linux 6.7+),
 * shared by the SEV-SNP and TDX guest providers. One call creates a private report entry (a
 * directory), checks {@code provider}, records {@code generation}, writes {@code privlevel} (when
 * asked) and {@code inblob}, reads {@code outblob} (and {@code auxblob}), then checks that
 * {@code generation} advanced by exactly the number of writes made: anything else means another
 * process wrote to the same entry and the output may not belong to this input. The entry is
 * removed afterwards.
 *
 * <p>The root and the file operations are injectable so tests can run against a fake tree.
 * Thread-safe (every call uses its own entry). Internal to attest4j.
 */
public final class ConfigfsTsm {
  private static final System.Logger LOG = System.getLogger(ConfigfsTsm.class.getName());

  /** The standard location of the report directory. */
  public static final Path DEFAULT_ROOT = Paths.get("/sys/kernel/config/tsm/report");

  /** What went wrong, so each module can map it to its own reason enum. */
  public enum Kind {
    /** The report directory does not exist: no configfs-tsm on this kernel. */
    NOT_AVAILABLE,
    /** The entry's provider is not the one the caller expects (e.g. tdx_guest vs sev_guest). */
    WRONG_PROVIDER,
    /** Another writer changed the entry between our write and our read. */
    GENERATION_MISMATCH,
    /** The requested privilege level is below privlevel_floor. */
    PRIVLEVEL_BELOW_FLOOR,
    /** Permission denied (configfs-tsm needs root or a suitable group). */
    PERMISSION_DENIED,
    /** The kernel refused the request or an I/O error occurred. */
    IO_ERROR,
    /** An attribute held something unparseable. */
    BAD_OUTPUT
  }

  /** A failure with its {@link Kind}; the message is meant for users. */
  public static final class TsmException extends Exception {
    private static final long serialVersionUID = 1L;
    /** What went wrong. */
    private final Kind kind;

    /**
     * A failure of {@code kind}.
     *
     * @param kind the class of failure
     * @param message what went wrong, for users
     * @param cause the underlying I/O failure, or {@code null}
     */
    public TsmException(Kind kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = kind;
    }

    /**
     * What went wrong.
     *
     * @return the class of failure
     */
    public Kind kind() {
      return kind;
    }
  }

  /** The file operations used; the default works on the real configfs. */
  public interface Fs {
    /**
     * Whether {@code p} is a directory.
     *
     * @param p the path
     * @return {@code true} if it exists and is a directory
     */
    boolean isDirectory(Path p);

    /**
     * Whether {@code p} exists.
     *
     * @param p the path
     * @return {@code true} if it exists
     */
    boolean exists(Path p);

    /**
     * Creates the directory {@code p} (on configfs, a new report entry).
     *
     * @param p the path
     * @throws IOException if it cannot be created
     */
    void createDirectory(Path p) throws IOException;

    /**
     * Reads the whole file {@code p}.
     *
     * @param p the path
     * @return its bytes
     * @throws IOException if it cannot be read
     */
    byte[] read(Path p) throws IOException;

    /**
     * Writes {@code data} to the file {@code p}.
     *
     * @param p the path
     * @param data the bytes to write
     * @throws IOException if it cannot be written
     */
    void write(Path p, byte[] data) throws IOException;

    /**
     * Removes a report entry (on configfs, rmdir removes the directory and its attributes).
     *
     * @param entry the report entry directory
     * @throws IOException if it cannot be removed
     */
    void removeEntry(Path entry) throws IOException;

    /**
     * Plain NIO operations, right for configfs.
     *
     * @return file operations on the default file system
     */
    static Fs nio() {
      return new Fs() {
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
        }

        @Override
        public byte[] read(Path p) throws IOException {
          return Files.readAllBytes(p);
        }

        @Override
        public void write(Path p, byte[] data) throws IOException {
          Files.write(p, data);
        }

        @Override
        public void removeEntry(Path entry) throws IOException {
          Files.delete(entry);
        }
      };
    }
  }

  /** The outcome of one report request. */
  public static final class Result {
    private final byte[] outblob;
    private final byte[] auxblob;
    private final String provider;

    Result(byte[] outblob, byte[] auxblob, String provider) {
      this.outblob = outblob;
      this.auxblob = auxblob;
      this.provider = provider;
    }

    /**
     * The report or quote.
     *
     * @return a copy of {@code outblob}
     */
    public byte[] outblob() {
      return outblob.clone();
    }

    /**
     * The auxiliary blob (SEV-SNP: the certificate table), empty when there is none.
     *
     * @return a copy of {@code auxblob}, or empty
     */
    public Optional<byte[]> auxblob() {
      return auxblob == null || auxblob.length == 0 ? Optional.empty() : Optional.of(auxblob.clone());
    }

    /**
     * The provider that produced it, e.g. {@code sev_guest} or {@code tdx_guest}.
     *
     * @return the content of the entry's {@code provider} attribute
     */
    public String provider() {
      return provider;
    }
  }

  private final Path root;
  private final Fs fs;
  private final Supplier<String> entryNames;

  private ConfigfsTsm(Path root, Fs fs, Supplier<String> entryNames) {
    this.root = root;
    this.fs = fs;
    this.entryNames = entryNames;
  }

  /**
   * The real interface at {@link #DEFAULT_ROOT}.
   *
   * @return an interface at {@code /sys/kernel/config/tsm/report} using NIO
   */
  public static ConfigfsTsm system() {
    return of(DEFAULT_ROOT, Fs.nio(), ConfigfsTsm::randomEntryName);
  }

  /**
   * An interface at {@code root} with the given file operations and entry names.
   *
   * @param root the report directory
   * @param fs the file operations
   * @param entryNames makes a fresh name for each report entry
   * @return the interface
   */
  public static ConfigfsTsm of(Path root, Fs fs, Supplier<String> entryNames) {
    return new ConfigfsTsm(
        Objects.requireNonNull(root, "root"),
        Objects.requireNonNull(fs, "fs"),
        Objects.requireNonNull(entryNames, "entryNames"));
  }

  private static String randomEntryName() {
    return "attest4j-" + UUID.randomUUID();
  }

  /**
   * The report directory.
   *
   * @return the directory report entries are created in
   */
  public Path root() {
    return root;
  }

  /**
   * Whether the report directory exists (configfs mounted and a TSM driver loaded).
   *
   * @return {@code true} if {@link #root()} is a directory
   */
  public boolean isAvailable() {
    return fs.isDirectory(root);
  }

  /**
   * The provider behind the interface (e.g. {@code sev_guest}, {@code tdx_guest}), found by creating
   * and removing a report entry; empty when the interface is absent or no provider answers.
   *
   * @return the provider name, or empty
   */
  public Optional<String> probeProvider() {
    if (!isAvailable()) {
      return Optional.empty();
    }
    Path entry = root.resolve(entryNames.get());
    try {
      fs.createDirectory(entry);
    } catch (IOException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(new String(fs.read(entry.resolve("provider")), StandardCharsets.US_ASCII).trim())
          .filter(s -> !s.isEmpty());
    } catch (IOException e) {
      return Optional.empty();
    } finally {
      try {
        fs.removeEntry(entry);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "could not remove configfs-tsm entry " + entry + ": " + e);
      }
    }
  }

  /**
   * Generates one report.
   *
   * @param inblob the user data (64 bytes for SEV-SNP and TDX)
   * @param privlevel the privilege level (SEV-SNP VMPL) to write, or null to leave it alone
   * @param expectedProvider the provider the caller can parse (e.g. {@code sev_guest}), or null
   * @param wantAux whether to read {@code auxblob} too
   * @return the report, its auxiliary blob if asked for, and the provider
   * @throws TsmException if the interface is absent, the provider is not the expected one, or I/O fails
   */
  public Result generate(byte[] inblob, Integer privlevel, String expectedProvider, boolean wantAux)
      throws TsmException {
    Objects.requireNonNull(inblob, "inblob");
    if (!isAvailable()) {
      throw new TsmException(
          Kind.NOT_AVAILABLE, "configfs-tsm is not available: " + root + " does not exist", null);
    }
    Path entry = root.resolve(entryNames.get());
    try {
      fs.createDirectory(entry);
    } catch (IOException e) {
      throw io("create the report entry " + entry, e);
    }
    try {
      return generateIn(entry, inblob, privlevel, expectedProvider, wantAux);
    } finally {
      try {
        fs.removeEntry(entry);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "could not remove configfs-tsm entry " + entry + ": " + e);
      }
    }
  }

  private Result generateIn(
      Path entry, byte[] inblob, Integer privlevel, String expectedProvider, boolean wantAux)
      throws TsmException {
    String provider = readText(entry.resolve("provider"), "provider");
    if (expectedProvider != null && !expectedProvider.equals(provider)) {
      throw new TsmException(
          Kind.WRONG_PROVIDER,
          "configfs-tsm provider is '" + provider + "' but '" + expectedProvider + "' is required",
          null);
    }
    long generation = readLong(entry.resolve("generation"), "generation");
    int writes = 0;
    if (privlevel != null) {
      Path floorFile = entry.resolve("privlevel_floor");
      if (fs.exists(floorFile)) {
        long floor = readLong(floorFile, "privlevel_floor");
        if (privlevel < floor) {
          throw new TsmException(
              Kind.PRIVLEVEL_BELOW_FLOOR,
              "privilege level " + privlevel + " is below this guest's privlevel_floor " + floor,
              null);
        }
      }
      write(entry.resolve("privlevel"), Integer.toString(privlevel).getBytes(StandardCharsets.US_ASCII), "privlevel");
      writes++;
    }
    write(entry.resolve("inblob"), inblob, "inblob");
    writes++;
    byte[] out = read(entry.resolve("outblob"), "outblob");
    byte[] aux = null;
    if (wantAux && fs.exists(entry.resolve("auxblob"))) {
      aux = read(entry.resolve("auxblob"), "auxblob");
    }
    long after = readLong(entry.resolve("generation"), "generation");
    if (after != generation + writes) {
      throw new TsmException(
          Kind.GENERATION_MISMATCH,
          "configfs-tsm generation is "
              + after
              + " but "
              + (generation + writes)
              + " was expected after "
              + writes
              + " write(s): another process wrote to the report entry; the output is discarded",
          null);
    }
    if (out.length == 0) {
      throw new TsmException(Kind.BAD_OUTPUT, "configfs-tsm returned an empty outblob", null);
    }
    return new Result(out, aux, provider);
  }

  private byte[] read(Path p, String what) throws TsmException {
    try {
      return fs.read(p);
    } catch (IOException e) {
      throw io("read " + what, e);
    }
  }

  private void write(Path p, byte[] data, String what) throws TsmException {
    try {
      fs.write(p, data);
    } catch (IOException e) {
      throw io("write " + what, e);
    }
  }

  private String readText(Path p, String what) throws TsmException {
    return new String(read(p, what), StandardCharsets.US_ASCII).trim();
  }

  private long readLong(Path p, String what) throws TsmException {
    String s = readText(p, what);
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new TsmException(Kind.BAD_OUTPUT, "configfs-tsm " + what + " is not a number: '" + s + "'", e);
    }
  }

  private static TsmException io(String action, IOException e) {
    if (e instanceof AccessDeniedException) {
      return new TsmException(
          Kind.PERMISSION_DENIED,
          "permission denied to " + action + " (configfs-tsm needs root or write access to "
              + e.getMessage() + ")",
          e);
    }
    if (e instanceof NoSuchFileException) {
      return new TsmException(Kind.IO_ERROR, "could not " + action + ": " + e.getMessage() + " is missing", e);
    }
    return new TsmException(Kind.IO_ERROR, "could not " + action + ": " + e, e);
  }
}
