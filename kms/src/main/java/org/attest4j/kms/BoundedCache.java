package org.attest4j.kms;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A small concurrent memo for deterministic computations (expected measurements, parsed MrConfigV3
 * documents, derived app keys). At most {@code capacity} entries; when full it is emptied (the
 * entries are recomputable, so forgetting is safe). Capacity 0 disables it. Thread-safe. Internal.
 */
final class BoundedCache<K, V> {
  private final int capacity;
  private final ConcurrentHashMap<K, V> map;

  BoundedCache(int capacity) {
    this.capacity = capacity;
    this.map = new ConcurrentHashMap<>(Math.max(16, Math.min(capacity, 1024) * 2));
  }

  V get(K key) {
    return capacity == 0 ? null : map.get(key);
  }

  void put(K key, V value) {
    if (capacity == 0) {
      return;
    }
    if (map.size() >= capacity) {
      map.clear();
    }
    map.put(key, value);
  }

  int size() {
    return map.size();
  }
}
