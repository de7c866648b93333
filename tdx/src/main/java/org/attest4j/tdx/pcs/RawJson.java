package org.attest4j.tdx.pcs;

import java.util.Arrays;

/**
 * Finds the exact bytes of a top-level member's value in a JSON object without re-serializing it
 * (Intel signs the bytes as served: key order and spacing matter). Returns null when the input is
 * not an object with that key or is malformed. Stateless.
 */
final class RawJson {
  private RawJson() {}

  static byte[] valueOf(byte[] json, String key) {
    try {
      int[] pos = {skipWs(json, 0)};
      if (pos[0] >= json.length || json[pos[0]] != '{') {
        return null;
      }
      pos[0]++;
      while (true) {
        pos[0] = skipWs(json, pos[0]);
        if (pos[0] < json.length && json[pos[0]] == '}') {
          return null;
        }
        int keyStart = pos[0];
        int keyEnd = skipString(json, keyStart);
        String k = new String(json, keyStart + 1, keyEnd - keyStart - 2, java.nio.charset.StandardCharsets.UTF_8);
        pos[0] = skipWs(json, keyEnd);
        if (json[pos[0]] != ':') {
          return null;
        }
        int valueStart = skipWs(json, pos[0] + 1);
        int valueEnd = skipValue(json, valueStart);
        if (k.equals(key)) {
          return Arrays.copyOfRange(json, valueStart, valueEnd);
        }
        pos[0] = skipWs(json, valueEnd);
        if (json[pos[0]] == ',') {
          pos[0]++;
        } else {
          return null;
        }
      }
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static int skipWs(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  /** b[i] is '"'; returns the index after the closing quote. */
  private static int skipString(byte[] b, int i) {
    if (b[i] != '"') {
      throw new IllegalArgumentException("string expected");
    }
    i++;
    while (b[i] != '"') {
      if (b[i] == '\\') {
        i++;
      }
      i++;
    }
    return i + 1;
  }

  private static int skipValue(byte[] b, int i) {
    byte c = b[i];
    if (c == '"') {
      return skipString(b, i);
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (true) {
        byte x = b[i];
        if (x == '"') {
          i = skipString(b, i);
          continue;
        }
        if (x == '{' || x == '[') {
          depth++;
        } else if (x == '}' || x == ']') {
          depth--;
          if (depth == 0) {
            return i + 1;
          }
        }
        i++;
      }
    }
    while (i < b.length && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n'
        && b[i] != '\r' && b[i] != '\t') {
      i++;
    }
    return i;
  }
}
