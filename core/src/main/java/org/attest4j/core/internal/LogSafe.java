package org.attest4j.core.internal;

/**
 * Makes request-derived text safe to log: one line, no control characters, so a client cannot
 * forge log lines (a newline in a {@code vcpu_type}, a JSON key or a URL path). Backslash, CR, LF
 * and tab become {@code \\}, {@code \r}, {@code \n}, {@code \t}; other C0/C1 controls, DEL and the
 * Unicode line/paragraph separators become {@code \}{@code uXXXX}. Text longer than {@link #MAX}
 * characters is cut with a marker.
 *
 * <p>Stateless; thread-safe.
 */
public final class LogSafe {
  /** The longest text kept. */
  public static final int MAX = 2048;

  private LogSafe() {}

  /**
   * The escaped text ({@code "null"} for null).
   *
   * @param s the text
   * @return one printable line
   */
  public static String escape(CharSequence s) {
    if (s == null) {
      return "null";
    }
    int n = Math.min(s.length(), MAX);
    StringBuilder b = null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '\\' -> "\\\\";
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
            ? String.format("\\u%04x", (int) c) : null;
      };
      if (rep != null && b == null) {
        b = new StringBuilder(n + 16).append(s, 0, i);
      }
      if (b != null) {
        if (rep != null) {
          b.append(rep);
        } else {
          b.append(c);
        }
      }
    }
    String out = b != null ? b.toString() : s.subSequence(0, n).toString();
    return s.length() > MAX ? out + "...[" + (s.length() - MAX) + " more chars]" : out;
  }
}
