package dev.profileengine.engine.cbor;

/** Marker for messages, events and replies serialized with Jackson CBOR (see engine-serialization.conf). */
public interface CborSerializable {}
