package org.attest4j.tdx;

import java.util.Arrays;

/**
 * Finds the exact bytes of a member value in a JSON object without re-serializing, so that a
 * signature over those bytes (Intel's TCB info and QE identity) can be checked verbatim.
 */
final class RawJson {
  private final byte[] d;
  private int p;

  private RawJson(byte[] d) {
    this.d = d;
  }

  /**
   * The raw bytes of the value of top-level member {@code key} of the JSON object {@code json}, or
   * null if the text is not an object or has no such member.
   *
   * @throws IllegalArgumentException if the text is not well-formed JSON up to the member
   */
  static byte[] member(byte[] json, String key) {
    RawJson r = new RawJson(json);
    return r.findMember(key);
  }

  private byte[] findMember(String key) {
    ws();
    if (p >= d.length || d[p] != '{') {
      return null;
    }
    p++;
    ws();
    if (peek() == '}') {
      return null;
    }
    while (true) {
      ws();
      int ks = p;
      string();
      String k = new String(d, ks + 1, p - ks - 2, java.nio.charset.StandardCharsets.UTF_8);
      ws();
      expect(':');
      ws();
      int vs = p;
      value(0);
      int ve = p;
      if (k.equals(key)) {
        return Arrays.copyOfRange(d, vs, ve);
      }
      ws();
      int c = next();
      if (c == '}') {
        return null;
      }
      if (c != ',') {
        throw new IllegalArgumentException("expected ',' or '}' at " + (p - 1));
      }
    }
  }

  private int peek() {
    return p < d.length ? d[p] & 0xff : -1;
  }

  private int next() {
    if (p >= d.length) {
      throw new IllegalArgumentException("unexpected end of JSON");
    }
    return d[p++] & 0xff;
  }

  private void expect(char c) {
    if (next() != c) {
      throw new IllegalArgumentException("expected '" + c + "' at " + (p - 1));
    }
  }

  private void ws() {
    while (p < d.length && (d[p] == ' ' || d[p] == '\t' || d[p] == '\n' || d[p] == '\r')) {
      p++;
    }
  }

  private void string() {
    expect('"');
    while (true) {
      int c = next();
      if (c == '"') {
        return;
      }
      if (c == '\\') {
        next();
      } else if (c < 0x20) {
        throw new IllegalArgumentException("control character in JSON string at " + (p - 1));
      }
    }
  }

  private void value(int depth) {
    if (depth > 64) {
      throw new IllegalArgumentException("JSON nested too deeply");
    }
    int c = peek();
    if (c == '"') {
      string();
    } else if (c == '{' || c == '[') {
      int close = c == '{' ? '}' : ']';
      p++;
      ws();
      if (peek() == close) {
        p++;
        return;
      }
      while (true) {
        ws();
        if (c == '{') {
          string();
          ws();
          expect(':');
          ws();
        }
        value(depth + 1);
        ws();
        int n = next();
        if (n == close) {
          return;
        }
        if (n != ',') {
          throw new IllegalArgumentException("expected ',' at " + (p - 1));
        }
      }
    } else {
      int s = p;
      while (p < d.length) {
        int x = d[p] & 0xff;
        if (x == ',' || x == '}' || x == ']' || x == ' ' || x == '\n' || x == '\r' || x == '\t') {
          break;
        }
        p++;
      }
      if (p == s) {
        throw new IllegalArgumentException("expected a JSON value at " + s);
      }
    }
  }
}
