package org.attest4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * attest4j-bom lists every published module of the reactor (a module added to the parent's
 * {@code <modules>} without a BOM entry fails here), with the same version as the parent.
 */
class BomCoverageTest {
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

  @Test
  void theBomListsEveryPublishedModule() throws Exception {
    Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    String parent = Files.readString(root.resolve("pom.xml"));
    String bom = Files.readString(root.resolve("bom/pom.xml"));
    // the default modules only: profiles (bench) come after </modules>
    String modules = parent.substring(parent.indexOf("<modules>"), parent.indexOf("</modules>"));
    TreeSet<String> published = new TreeSet<>();
    Matcher m = MODULE.matcher(modules);
    while (m.find()) {
      String pom = Files.readString(root.resolve(m.group(1)).resolve("pom.xml"));
      if (pom.contains("<packaging>pom</packaging>")) {
        continue; // the BOM itself and the consumer tests
      }
      String withoutParent = pom.substring(pom.indexOf("</parent>"));
      Matcher a = ARTIFACT.matcher(withoutParent);
      assertTrue(a.find(), m.group(1) + "/pom.xml has an artifactId");
      published.add(a.group(1));
    }
    TreeSet<String> listed = new TreeSet<>();
    Matcher b = ARTIFACT.matcher(bom.substring(bom.indexOf("<dependencyManagement>")));
    while (b.find()) {
      listed.add(b.group(1));
    }
    List<String> missing = new ArrayList<>(published);
    missing.removeAll(listed);
    assertEquals(List.of(), missing, "modules missing from bom/pom.xml");
    assertTrue(published.size() >= 8, "found the reactor's modules: " + published);
    assertTrue(bom.contains("<version>" + version(parent) + "</version>"), "the BOM has the parent's version");
  }

  private static String version(String parentPom) {
    String afterArtifact = parentPom.substring(parentPom.indexOf("<artifactId>attest4j-parent</artifactId>"));
    Matcher v = Pattern.compile("<version>([^<]+)</version>").matcher(afterArtifact);
    assertTrue(v.find());
    return v.group(1);
  }
}
