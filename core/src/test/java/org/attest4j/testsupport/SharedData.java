package org.attest4j.testsupport;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

/**
 * The one way tests reach the reference data in {@code ../shared} (vectors, AMD and Intel roots,
 * specs). The folder is taken from the system property {@code attest4j.shared} (set by the parent
 * POM to {@code <repo>/../shared}); without it, {@code ../shared} next to the repository root is
 * looked for from the working directory upwards.
 *
 * <p>When the folder is absent the test is <em>skipped</em> with a clear message; when it is present,
 * any missing file or disagreement fails the test.
 */
public final class SharedData {
  /** The system property that overrides the location of the shared folder. */
  public static final String PROPERTY = "attest4j.shared";

  private SharedData() {}

  /** The shared folder, or null when it cannot be found. */
  public static Path rootOrNull() {
    String prop = System.getProperty(PROPERTY);
    if (prop != null && !prop.isBlank() && !prop.contains("${")) {
      Path p = Paths.get(prop).toAbsolutePath().normalize();
      return Files.isDirectory(p) ? p : null;
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolveSibling("shared");
      if (Files.isDirectory(dir.resolve(".git")) || Files.isDirectory(dir.resolve(".ci"))) {
        return Files.isDirectory(candidate) ? candidate.normalize() : null;
      }
      dir = dir.getParent();
    }
    return null;
  }

  /** The shared folder; skips the calling test when it is absent. */
  public static Path root() {
    Path root = rootOrNull();
    Assumptions.assumeTrue(
        root != null,
        "reference data folder ../shared not found (set -D" + PROPERTY + "=DIR); skipping");
    return root;
  }

  /**
   * A path inside the shared folder (for example {@code "vectors/snp-reports"}). Skips when the
   * shared folder is absent; fails when the folder is present but the path is not.
   */
  public static Path path(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) {
      throw new AssertionError("shared reference data is present but " + p + " is missing");
    }
    return p;
  }

  /** The bytes of a shared file. */
  public static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of a shared file (UTF-8). */
  public static String text(String relative) {
    return new String(bytes(relative), StandardCharsets.UTF_8);
  }

  /** A shared JSON file. */
  public static JsonElement json(String relative) {
    return JsonParser.parseString(text(relative));
  }

  /** Every non-blank line of a shared JSON-lines file, parsed. */
  public static List<JsonObject> jsonLines(String relative) {
    List<JsonObject> out = new ArrayList<>();
    for (String line : text(relative).split("\n")) {
      if (!line.isBlank()) {
        out.add(JsonParser.parseString(line).getAsJsonObject());
      }
    }
    if (out.isEmpty()) {
      throw new AssertionError("shared vector file " + relative + " holds no vectors");
    }
    return out;
  }

  /** A check of one shared vector. */
  @FunctionalInterface
  public interface VectorCheck {
    /**
     * Checks one vector.
     *
     * @param vector the vector's JSON line
     * @throws Throwable on failure
     */
    void check(JsonObject vector) throws Throwable;
  }

  /**
   * One dynamic test per line of a shared JSON-lines file, named by the line's {@code id}, after
   * asserting that the file holds {@code expected} vectors.
   */
  public static Stream<DynamicTest> vectorTests(String relative, int expected, VectorCheck check) {
    List<JsonObject> vectors = jsonLines(relative);
    Assertions.assertEquals(expected, vectors.size(), relative);
    return vectors.stream()
        .map(v -> DynamicTest.dynamicTest(v.get("id").getAsString(), () -> check.check(v)));
  }

  /** The sub-directories of a shared directory, sorted by name. */
  public static List<Path> subdirectories(String relative) {
    try (var s = Files.list(path(relative))) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
