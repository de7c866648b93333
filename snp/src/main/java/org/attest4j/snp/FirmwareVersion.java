package org.attest4j.snp;

/**
 * An SNP firmware version {@code major.minor.build} (CURRENT_* or COMMITTED_* in the report).
 * Ordered by major, then minor, then build.
 *
 * @param major 0..255
 * @param minor 0..255
 * @param build 0..255
 */
public record FirmwareVersion(int major, int minor, int build) implements Comparable<FirmwareVersion> {
  /**
   * Validates the ranges.
   *
   * @param major the major
   * @param minor the minor
   * @param build the build
   */
  public FirmwareVersion {
    if ((major | minor | build) < 0 || major > 255 || minor > 255 || build > 255) {
      throw new IllegalArgumentException("firmware version parts are bytes: " + major + "." + minor + "." + build);
    }
  }

  /**
   * Parses {@code "1.55.61"} or {@code "1.55"} (build 0).
   *
   * @param text the text
   * @return the version
   * @throws IllegalArgumentException if the text is not such a version
   */
  public static FirmwareVersion parse(String text) {
    String[] p = text.strip().split("\\.");
    if (p.length < 2 || p.length > 3) {
      throw new IllegalArgumentException("not a firmware version major.minor[.build]: " + text);
    }
    try {
      return new FirmwareVersion(
          Integer.parseInt(p[0]), Integer.parseInt(p[1]), p.length == 3 ? Integer.parseInt(p[2]) : 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a firmware version major.minor[.build]: " + text, e);
    }
  }

  @Override
  public int compareTo(FirmwareVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(build, o.build);
  }

  /** {@code major.minor.build}, as in meta.json and AMD tools. */
  @Override
  public String toString() {
    return major + "." + minor + "." + build;
  }
}
