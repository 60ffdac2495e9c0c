package dev.profileengine.gateway.grpc;

import com.google.protobuf.DoubleValue;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.profileengine.engine.changes.ProfileChange;
import dev.profileengine.grpc.ProfileChange.Builder;
import java.util.List;
import java.util.Map;

/** The typed change as the {@code change} oneof of the gRPC {@code ProfileChange}. */
final class GrpcChanges {
  private GrpcChanges() {}

  static void fill(Builder b, ProfileChange change) {
    if (change instanceof ProfileChange.BehaviorApplied e) {
      var m = dev.profileengine.grpc.ProfileChange.BehaviorApplied.newBuilder()
          .setEventId(e.eventId())
          .setType(e.type().wire())
          .setEventTimeMs(e.eventTime().toEpochMilli());
      if (e.itemId() != null) m.setItemId(e.itemId());
      if (e.categoryId() != null) m.setCategoryId(e.categoryId());
      if (e.brand() != null) m.setBrand(e.brand());
      if (e.amount() != null) m.setAmount(DoubleValue.of(e.amount()));
      b.setEvent(m);
    } else if (change instanceof ProfileChange.Acknowledged a) {
      b.setAcknowledged(dev.profileengine.grpc.ProfileChange.Acknowledged.newBuilder().setEventId(a.eventId()));
    } else if (change instanceof ProfileChange.AttributesChanged a) {
      var m = dev.profileengine.grpc.ProfileChange.AttributesChanged.newBuilder();
      a.attributes().forEach((k, v) -> m.putAttributes(k, value(v)));
      b.setAttributes(m);
    } else if (change instanceof ProfileChange.PredictionChanged p) {
      var m = dev.profileengine.grpc.ProfileChange.PredictionChanged.newBuilder()
          .setAsOfEventCount(p.asOfEventCount())
          .putAllNextBehavior(p.nextBehavior());
      if (p.modelVersion() != null) m.setModelVersion(p.modelVersion());
      if (p.asOfEventId() != null) m.setAsOfEventId(p.asOfEventId());
      if (p.predictedBehavior() != null) m.setPredictedBehavior(p.predictedBehavior());
      p.nextCategories().forEach(c -> m.addNextCategories(
          dev.profileengine.grpc.ProfileChange.Category.newBuilder().setId(c.id()).setProbability(c.probability())));
      b.setPrediction(m);
    } else if (change instanceof ProfileChange.ConsentChanged c) {
      var m = dev.profileengine.grpc.ProfileChange.ConsentChanged.newBuilder();
      c.purposes().forEach((purpose, granted) -> m.putPurposes(purpose.wire(), granted));
      b.setConsent(m);
    } else if (change instanceof ProfileChange.SegmentsChanged s) {
      b.setSegments(dev.profileengine.grpc.ProfileChange.SegmentsChanged.newBuilder()
          .addAllEntered(s.entered()).addAllLeft(s.left()).addAllSegments(s.members()));
    } else if (change instanceof ProfileChange.Forgotten) {
      b.setForgotten(dev.profileengine.grpc.ProfileChange.Forgotten.getDefaultInstance());
    } else if (change instanceof ProfileChange.Merged m) {
      b.setMerged(dev.profileengine.grpc.ProfileChange.Merged.newBuilder()
          .setCanonical(m.canonical()).setMerged(m.merged()).addAllIdentities(m.identities()));
    } else if (change instanceof ProfileChange.Unmerged u) {
      b.setUnmerged(dev.profileengine.grpc.ProfileChange.Unmerged.newBuilder()
          .setCanonical(u.canonical()).setSplit(u.split()).addAllIdentities(u.identities()));
    }
    // Other: no case set, the cause and changes_json still say what the node knows
  }

  /** A client's JSON attribute value as a protobuf Value. */
  static Value value(Object v) {
    if (v == null) return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    if (v instanceof String s) return Value.newBuilder().setStringValue(s).build();
    if (v instanceof Boolean bool) return Value.newBuilder().setBoolValue(bool).build();
    if (v instanceof Number n) return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    if (v instanceof List<?> list) {
      ListValue.Builder l = ListValue.newBuilder();
      list.forEach(item -> l.addValues(value(item)));
      return Value.newBuilder().setListValue(l).build();
    }
    if (v instanceof Map<?, ?> map) {
      Struct.Builder s = Struct.newBuilder();
      map.forEach((k, item) -> s.putFields(String.valueOf(k), value(item)));
      return Value.newBuilder().setStructValue(s).build();
    }
    return Value.newBuilder().setStringValue(v.toString()).build();
  }
}
