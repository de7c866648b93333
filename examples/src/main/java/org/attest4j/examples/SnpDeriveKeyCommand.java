package org.attest4j.examples;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.snp.guest.SnpDerivedKey;
import org.attest4j.snp.guest.SnpDerivedKeyProvider;
import org.attest4j.snp.guest.SnpDerivedKeyRequest;
import org.attest4j.snp.guest.SnpReportProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code attest4j snp derive-key --out FILE [--root-key vcek|vmrk] [--fields LIST |
 * --guest-field-select BITS] [--vmpl N] [--guest-svn N] [--tcb-version HEX] [--launch-mit-vector HEX]
 * [--msg-version 1|2] [--json]}: inside an SEV-SNP guest, asks the AMD Secure Processor for a derived
 * key ({@code SNP_GET_DERIVED_KEY} on {@code /dev/sev-guest}) and writes its 32 bytes to a file only
 * the owner can read. The key is never printed.
 */
@Command(
    name = "derive-key",
    mixinStandardHelpOptions = true,
    description = {
      "Derive a key from the chip's VCEK or the VM's VMRK and the selected launch fields (SNP_GET_DERIVED_KEY).",
      "Writes the 32-byte key to --out (mode 0600); the key is never printed.",
      "Exit status: 0 written, 1 no guest interface or the platform refused, 2 usage error."
    })
final class SnpDeriveKeyCommand implements Callable<Integer> {
  private static final String[] FIELDS = {
    "guest_policy", "image_id", "family_id", "measurement", "guest_svn", "tcb_version", "launch_mit_vector"
  };

  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "FILE", description = "where to write the 32-byte key (required)")
  Path out;

  @Option(names = "--root-key", paramLabel = "KEY", description = "vcek (default) or vmrk")
  String rootKey = "vcek";

  @Option(names = "--fields", paramLabel = "LIST",
      description = "launch fields to mix in, comma-separated: guest_policy, image_id, family_id, measurement,"
          + " guest_svn, tcb_version, launch_mit_vector")
  String fields;

  @Option(names = "--guest-field-select", paramLabel = "BITS",
      description = "GUEST_FIELD_SELECT as binary digits, rightmost = guest_policy (snpguest's form, e.g. 101001),"
          + " or 0x-prefixed hex")
  String fieldBits;

  @Option(names = "--vmpl", paramLabel = "N", description = "VMPL to mix in, 0..3 (default 0; at least the guest's)")
  int vmpl;

  @Option(names = "--guest-svn", paramLabel = "N", description = "guest SVN to mix in (default 0)")
  long guestSvn;

  @Option(names = "--tcb-version", paramLabel = "HEX", description = "raw u64 TCB_VERSION to mix in (default 0)")
  String tcbVersion;

  @Option(names = "--launch-mit-vector", paramLabel = "HEX",
      description = "u64 launch mitigation vector (ABI 1.58, MSG_KEY_REQ version 2)")
  String launchMitVector;

  @Option(names = "--msg-version", paramLabel = "N", description = "MSG_KEY_REQ version 1 or 2 (default: 2 only when needed)")
  Integer msgVersion;

  @Option(names = "--json", description = "print the request that was answered (never the key) as JSON")
  boolean json;

  @Option(names = "--device", paramLabel = "PATH", hidden = true, description = "SEV guest device (default /dev/sev-guest)")
  Path device = SnpReportProvider.DEFAULT_DEVICE;

  @CommandLine.Unmatched java.util.List<String> unmatched;

  @Override
  public Integer call() {
    SnpDerivedKeyRequest request;
    try {
      SnpCommand.noUnmatched(unmatched);
      SnpCommand.require(out, "--out");
      request = request();
    } catch (SnpCommand.UsageError e) {
      return SnpCommand.usage(spec, e);
    }
    SnpDerivedKey key;
    try {
      key = SnpDerivedKeyProvider.ioctl(device).deriveKey(request);
    } catch (EvidenceUnavailableException e) {
      return SnpCommand.refused(spec, false, e);
    }
    byte[] bytes = key.bytes();
    try {
      write(out, bytes);
    } catch (IOException e) {
      spec.commandLine().getErr().println("attest4j snp derive-key: cannot write " + out + ": " + e.getMessage());
      spec.commandLine().getErr().flush();
      return Main.EXIT_REFUSED;
    } finally {
      Arrays.fill(bytes, (byte) 0);
      key.destroy();
    }
    PrintWriter o = spec.commandLine().getOut();
    if (json) {
      JsonObject j = new JsonObject();
      j.addProperty("out", out.toString());
      j.addProperty("msg_version", request.messageVersion());
      j.addProperty("root_key", request.rootKey().name());
      j.addProperty("guest_field_select", "0x" + Long.toHexString(request.guestFieldSelect()));
      JsonArray names = new JsonArray();
      request.guestFieldNames().forEach(names::add);
      j.add("fields", names);
      j.addProperty("vmpl", request.vmpl());
      j.addProperty("guest_svn", request.guestSvn());
      j.addProperty("tcb_version", SnpJson.hex0x(request.tcbVersion()));
      if (request.messageVersion() == 2) {
        j.addProperty("launch_mit_vector", SnpJson.hex0x(request.launchMitVector()));
      }
      SnpCommand.printJson(o, j);
    } else {
      o.println("wrote a 32-byte derived key to " + out + " (" + request + ")");
      o.flush();
    }
    return 0;
  }

  private SnpDerivedKeyRequest request() throws SnpCommand.UsageError {
    SnpDerivedKeyRequest.Builder b = SnpDerivedKeyRequest.builder();
    try {
      switch (rootKey.toLowerCase(Locale.ROOT)) {
        case "vcek" -> b.rootKey(SnpDerivedKeyRequest.RootKey.VCEK);
        case "vmrk" -> b.rootKey(SnpDerivedKeyRequest.RootKey.VMRK);
        default -> throw new SnpCommand.UsageError("--root-key must be vcek or vmrk, got '" + rootKey + "'");
      }
      if (fields != null && fieldBits != null) {
        throw new SnpCommand.UsageError("--fields and --guest-field-select exclude each other");
      }
      if (fields != null) {
        for (String f : fields.split(",")) {
          String name = f.strip().toLowerCase(Locale.ROOT);
          if (name.isEmpty()) {
            continue;
          }
          int i = Arrays.asList(FIELDS).indexOf(name);
          if (i < 0) {
            throw new SnpCommand.UsageError("unknown field '" + name + "' in --fields (" + String.join(", ", FIELDS) + ")");
          }
          b.mix(1L << i);
        }
      }
      if (fieldBits != null) {
        String t = fieldBits.strip();
        long v;
        if (t.startsWith("0x") || t.startsWith("0X")) {
          v = Long.parseUnsignedLong(t.substring(2), 16);
        } else if (t.matches("[01]{1,64}")) {
          v = Long.parseUnsignedLong(t, 2);
        } else {
          throw new SnpCommand.UsageError("--guest-field-select must be binary digits or 0x-prefixed hex, got '" + t + "'");
        }
        b.guestFieldSelect(v);
      }
      b.vmpl(vmpl).guestSvn(guestSvn);
      if (tcbVersion != null) {
        b.tcbVersion(hex(tcbVersion, "--tcb-version"));
      }
      if (launchMitVector != null) {
        b.launchMitVector(hex(launchMitVector, "--launch-mit-vector"));
      }
      if (msgVersion != null) {
        b.messageVersion(msgVersion);
      }
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new SnpCommand.UsageError(e.getMessage());
    }
  }

  private static long hex(String text, String option) throws SnpCommand.UsageError {
    String t = text.strip();
    if (t.startsWith("0x") || t.startsWith("0X")) {
      t = t.substring(2);
    }
    try {
      return Long.parseUnsignedLong(t, 16);
    } catch (NumberFormatException e) {
      throw new SnpCommand.UsageError(option + " must be a hex u64, got '" + text + "'");
    }
  }

  /** Writes the key to a file readable by its owner only (created so where POSIX permissions exist). */
  private static void write(Path file, byte[] key) throws IOException {
    Files.deleteIfExists(file);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    Set<StandardOpenOption> opts = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try (SeekableByteChannel ch = posix
        ? Files.newByteChannel(file, opts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
        : Files.newByteChannel(file, opts)) {
      ch.write(java.nio.ByteBuffer.wrap(key));
    }
  }
}
