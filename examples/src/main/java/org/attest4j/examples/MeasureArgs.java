package org.attest4j.examples;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Argument parsing for {@code attest4j measure} with Python's {@code int()} rules. Free of picocli:
 * {@code measure} runs without it (MeasureFastPath); picocli commands use {@link CliUsage}.
 */
final class MeasureArgs {
  private static final BigInteger U64 = BigInteger.ONE.shiftLeft(64);

  private MeasureArgs() {}

  /**
   * Python {@code int(s, 0)}: 0x/0o/0b prefixes, '_' between digits, no leading zero in decimal.
   *
   * @throws UsageError "argument OPT: invalid value: 'S'" unless an unsigned 64-bit value
   */
  static long autoInt(String opt, String s) throws UsageError {
    BigInteger v = parse(s, true);
    if (v == null || v.signum() < 0 || v.compareTo(U64) >= 0) {
      throw new UsageError("argument " + opt + ": invalid value: '" + s + "'");
    }
    return v.longValue();
  }

  /**
   * Python {@code int(s)} limited to a non-negative int.
   *
   * @throws UsageError "argument OPT: invalid int value: 'S'" otherwise
   */
  static int decimalInt(String opt, String s) throws UsageError {
    BigInteger v = parse(s, false);
    if (v == null || v.signum() < 0 || v.bitLength() > 31) {
      throw new UsageError("argument " + opt + ": invalid int value: '" + s + "'");
    }
    return v.intValue();
  }

  /**
   * Python {@code int(s)} limited to a non-negative long.
   *
   * @throws UsageError "argument OPT: invalid int value: 'S'" otherwise
   */
  static long decimalLong(String opt, String s) throws UsageError {
    BigInteger v = parse(s, false);
    if (v == null || v.signum() < 0 || v.bitLength() > 63) {
      throw new UsageError("argument " + opt + ": invalid int value: '" + s + "'");
    }
    return v.longValue();
  }

  /**
   * A usage error (exit status 2) found without picocli: {@code attest4j measure} runs without
   * picocli (MeasureFastPath), so this class and MeasureRun must not reach it; picocli commands
   * turn it into a {@code ParameterException} (CliUsage).
   */
  static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  static BigInteger parse(String s, boolean auto) {
    String t = s.strip();
    boolean neg = false;
    if (t.startsWith("+") || t.startsWith("-")) {
      neg = t.startsWith("-");
      t = t.substring(1);
    }
    int radix = 10;
    if (auto) {
      String l = t.toLowerCase(Locale.ROOT);
      if (l.startsWith("0x") || l.startsWith("0o") || l.startsWith("0b")) {
        radix = l.charAt(1) == 'x' ? 16 : l.charAt(1) == 'o' ? 8 : 2;
        t = t.substring(2);
        if (t.startsWith("_")) {
          t = t.substring(1);
        }
      } else if (t.length() > 1 && t.startsWith("0") && !t.replace("_", "").chars().allMatch(c -> c == '0')) {
        return null; // int('010', 0) is an error
      }
    }
    if (t.isEmpty() || t.startsWith("_") || t.endsWith("_") || t.contains("__")) {
      return null;
    }
    String digits = t.replace("_", "");
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), radix) < 0 || digits.charAt(i) > 0x7F) {
        return null;
      }
    }
    BigInteger v = new BigInteger(digits, radix);
    return neg ? v.negate() : v;
  }

  /**
   * The command line as the bytes the user gave, in every locale. The JVM decodes its arguments
   * with {@code sun.jnu.encoding}, which turns bytes that are not valid in the locale's charset into
   * U+FFFD (or '?'); sev-snp-measure hashes what was typed. So a value that is not plain ASCII is
   * looked up in /proc/self/cmdline (Linux) and its raw bytes are used; when that is impossible and
   * the value shows decoding damage, it is refused rather than hashed wrongly.
   *
   * @throws MeasureCommand.Refused when the raw bytes are needed but cannot be recovered
   */
  static byte[] cmdlineBytes(String append) throws MeasureCommand.Refused {
    if (append == null) {
      return null;
    }
    if (append.chars().allMatch(c -> c < 0x80 && c != '?')) {
      return append.getBytes(StandardCharsets.US_ASCII); // the same bytes in every ASCII-based charset
    }
    Charset jnu = jnuCharset();
    byte[] raw = rawOptionValue("--append", append, jnu);
    if (raw != null) {
      return raw;
    }
    boolean damaged = append.indexOf('\uFFFD') >= 0 || (!jnu.equals(StandardCharsets.UTF_8) && append.indexOf('?') >= 0);
    if (damaged) {
      throw new MeasureCommand.Refused(
          "--append holds bytes that are not valid " + jnu.name() + " and its raw bytes cannot be read from "
              + "/proc/self/cmdline; run under a UTF-8 locale on Linux, or pass only valid text");
    }
    return append.getBytes(StandardCharsets.UTF_8);
  }

  private static Charset jnuCharset() {
    try {
      String n = System.getProperty("sun.jnu.encoding");
      return n == null ? StandardCharsets.UTF_8 : Charset.forName(n);
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }

  /** The raw bytes of the last {@code opt} value in /proc/self/cmdline that decodes to {@code decoded}. */
  static byte[] rawOptionValue(String opt, String decoded, Charset jnu) {
    byte[] all;
    try {
      all = Files.readAllBytes(Path.of("/proc/self/cmdline"));
    } catch (IOException | RuntimeException e) {
      return null;
    }
    List<byte[]> args = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == 0) {
        args.add(java.util.Arrays.copyOfRange(all, start, i));
        start = i + 1;
      }
    }
    byte[] optBytes = opt.getBytes(StandardCharsets.US_ASCII);
    byte[] prefix = (opt + "=").getBytes(StandardCharsets.US_ASCII);
    byte[] found = null;
    for (int i = 0; i < args.size(); i++) {
      byte[] a = args.get(i);
      byte[] value = null;
      if (java.util.Arrays.equals(a, optBytes) && i + 1 < args.size()) {
        value = args.get(i + 1);
      } else if (a.length >= prefix.length && java.util.Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length)) {
        value = java.util.Arrays.copyOfRange(a, prefix.length, a.length);
      }
      if (value != null && new String(value, jnu).equals(decoded)) {
        found = value;
      }
    }
    return found;
  }
}
