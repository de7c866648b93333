/**
 * attest4j redis: the state of a replicated KMS on Redis or Valkey (used nonces and request
 * digests, verified endorsements), through the Jedis client.
 */
module org.attest4j.redis {
  requires transitive org.attest4j.kms;
  requires transitive org.attest4j.snp;
  requires redis.clients.jedis;
  exports org.attest4j.redis;
}
