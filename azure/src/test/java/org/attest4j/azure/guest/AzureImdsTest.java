package org.attest4j.azure.guest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.attest4j.core.Bytes;
import org.attest4j.core.EvidenceUnavailableException;
import org.attest4j.snp.Product;
import org.attest4j.snp.testing.SimulatedSnpPlatform;
import org.attest4j.testsupport.LoopbackServer;
import org.junit.jupiter.api.Test;

/** The IMDS client against a loopback stand-in: THIM's VCEK answer and the TD quote endpoint. */
class AzureImdsTest {
  static final class FakeImds extends LoopbackServer {
    FakeImds() throws java.io.IOException {
      super("fake-imds");
    }
  }

  @Test
  void vcekComesFromThim() throws Exception {
    SimulatedSnpPlatform snp = SimulatedSnpPlatform.create(Product.MILAN);
    String pem = new String(snp.vekPem(), StandardCharsets.US_ASCII);
    com.google.gson.JsonObject answer = new com.google.gson.JsonObject();
    answer.addProperty("vcekCert", pem);
    answer.addProperty("certificateChain", new String(snp.certChainPem(), StandardCharsets.US_ASCII));
    String body = answer.toString();
    try (FakeImds imds = new FakeImds()) {
      imds.serve("/metadata/THIM/amd/certification", body.getBytes(StandardCharsets.UTF_8));
      List<Bytes> certs = AzureImds.of(imds.baseUri()).vcek();
      assertArrayEquals(snp.vekDer(), certs.get(0).toByteArray());
    }
  }

  @Test
  void tdQuoteComesBackDecoded() throws Exception {
    byte[] quote = {4, 0, 2, 0, 1, 2, 3};
    try (FakeImds imds = new FakeImds()) {
      imds.serve("/acc/tdquote", ("{\"quote\":\"" + Base64.getUrlEncoder().encodeToString(quote) + "\"}")
          .getBytes(StandardCharsets.UTF_8));
      assertArrayEquals(quote, AzureImds.of(imds.baseUri()).tdQuote(new byte[1024]));
      assertEquals(1, imds.hits("/acc/tdquote"));
    }
  }

  @Test
  void aMissingEndpointIsEvidenceUnavailable() throws Exception {
    try (FakeImds imds = new FakeImds()) {
      assertThrows(EvidenceUnavailableException.class, () -> AzureImds.of(imds.baseUri()).vcek());
    }
  }
}
