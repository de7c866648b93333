import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The floor for {@code attest4j measure}'s start-up: a JVM that reads the same firmware file and
 * SHA-384s it, nothing else (bench/startup/measure-vs-floor.sh compares the two).
 */
public final class Floor {
  public static void main(String[] args) throws Exception {
    byte[] image = Files.readAllBytes(Path.of(args[0]));
    System.out.println(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(image)));
  }
}
