#include <gtest/gtest.h>

#include "dtap/error.hpp"
#include "dtap/record.hpp"

using dtap::Json;

namespace {
Json good() {
  return Json::parse(R"({"id": "a", "image": "a.png", "width": 100, "height": 200, "custom": {"x": 1},
    "words": [{"text": "Add", "bbox": [1, 2, 30, 10], "conf": 90.5}],
    "pii": [{"label": "email", "text": "a@b.co", "bbox": [0, 0, 100, 200], "source": "synth"}],
    "tasks": [{"question": "q?", "answer": "Add", "bbox": [1, 2, 30, 10]}],
    "privacy_qa": [{"question": "q", "answers": {"email": ["a@b.co"]}}], "error": null})");
}
bool has_problem(const Json& r, const std::string& needle) {
  for (const auto& p : dtap::validate_record(r))
    if (p.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST(Record, ValidRecordHasNoProblems) { EXPECT_TRUE(dtap::validate_record(good()).empty()); }

TEST(Record, UnknownFieldsAreKeptInOrder) {
  Json r = good();
  std::string dumped = r.dump();
  Json back = Json::parse(dumped);
  EXPECT_EQ(back["custom"]["x"], 1);
  EXPECT_EQ(back.begin().key(), "id");
  EXPECT_EQ(back.dump(), dumped);
}

TEST(Record, NotAnObject) { EXPECT_TRUE(has_problem(Json::array(), "not a JSON object")); }

TEST(Record, MissingImage) {
  Json r = good();
  r.erase("image");
  EXPECT_TRUE(has_problem(r, "image is missing"));
}

TEST(Record, WrongTypes) {
  Json r = good();
  r["id"] = 5;
  r["width"] = "100";
  r["words"] = "x";
  r["error"] = 3;
  EXPECT_TRUE(has_problem(r, "id is not a string"));
  EXPECT_TRUE(has_problem(r, "width is not a positive integer"));
  EXPECT_TRUE(has_problem(r, "words is not an array"));
  EXPECT_TRUE(has_problem(r, "error is not a string"));
}

TEST(Record, NegativeOrZeroSize) {
  Json r = good();
  r["height"] = 0;
  EXPECT_TRUE(has_problem(r, "height is not a positive integer"));
}

TEST(Record, MalformedBBox) {
  Json r = good();
  r["words"][0]["bbox"] = Json::array({1, 2, 3});
  EXPECT_TRUE(has_problem(r, "words[0].bbox is not"));
  r["words"][0]["bbox"] = Json::array({1, 2, -3, 4});
  EXPECT_TRUE(has_problem(r, "words[0].bbox is not"));
  r["words"][0]["bbox"] = Json::array({1, 2, "w", 4});
  EXPECT_TRUE(has_problem(r, "words[0].bbox is not"));
}

TEST(Record, BBoxOutsideImage) {
  Json r = good();
  r["pii"][0]["bbox"] = Json::array({90, 190, 20, 20});
  EXPECT_TRUE(has_problem(r, "pii[0].bbox lies outside the 100x200 image"));
  r["pii"][0]["bbox"] = Json::array({-5, 0, 10, 10});
  EXPECT_TRUE(has_problem(r, "outside"));
}

TEST(Record, UnknownPiiLabel) {
  Json r = good();
  r["pii"][0]["label"] = "EMAIL";
  EXPECT_TRUE(has_problem(r, "is not a PII label"));
  r["pii"][0].erase("label");
  EXPECT_TRUE(has_problem(r, "pii[0].label is missing"));
}

TEST(Record, MissingTextAndAnswer) {
  Json r = good();
  r["words"][0].erase("text");
  r["tasks"][0].erase("answer");
  EXPECT_TRUE(has_problem(r, "words[0].text is missing"));
  EXPECT_TRUE(has_problem(r, "tasks[0].answer is missing"));
}

TEST(Record, RequireValidThrowsFirstProblemWithCount) {
  Json r = good();
  r["id"] = 1;
  r["width"] = -1;
  try {
    dtap::require_valid_record(r);
    FAIL() << "no throw";
  } catch (const dtap::Error& e) {
    EXPECT_NE(std::string(e.what()).find("invalid record: id is not a string (and 1 more)"), std::string::npos);
  }
}

TEST(Record, AllDesignLabelsAccepted) {
  for (const char* l : {"name", "email", "phone", "address", "username", "ip", "card", "iban", "date_of_birth",
                        "id_number", "url_token", "other"})
    EXPECT_TRUE(dtap::is_pii_label(l)) << l;
  EXPECT_FALSE(dtap::is_pii_label("emailAddress"));
}

TEST(Record, Sha256KnownVectors) {
  EXPECT_EQ(dtap::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(dtap::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(dtap::sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(Record, RedactRemovesEveryPiiValue) {
  Json r = good();
  r["words"].push_back({{"text", "a@b.co"}, {"bbox", {0, 0, 50, 20}}});
  dtap::redact_pii_text(r);
  std::string dumped = r.dump();
  EXPECT_EQ(dumped.find("a@b.co"), std::string::npos) << dumped;
  EXPECT_EQ(r["pii"][0]["text"]["len"], 6);
  EXPECT_EQ(r["pii"][0]["text"]["sha256"], dtap::sha256_hex("a@b.co"));
  EXPECT_TRUE(dtap::validate_record(r).empty());
}

TEST(Record, IouAndUnion) {
  dtap::BBox a{0, 0, 10, 10}, b{5, 0, 10, 10};
  EXPECT_NEAR(dtap::iou(a, b), 50.0 / 150.0, 1e-9);
  auto u = dtap::bbox_union(a, b);
  EXPECT_EQ(u.w, 15);
  EXPECT_EQ(dtap::iou(a, dtap::BBox{20, 20, 1, 1}), 0.0);
}

TEST(Record, RedactionHashesLocatedAnswersAndTheWordsUnderThem) {
  dtap::Json r = dtap::Json::parse(R"({"id": "a", "image": "a.png",
    "words": [{"text": "Alice", "bbox": [10, 10, 40, 12]}, {"text": "Settings", "bbox": [10, 40, 50, 12]}],
    "privacy_qa": [{"question": "q", "answers": {"name": ["Alice"]},
                    "located": [{"text": "Alice", "bbox": [9, 9, 42, 14]}]}]})");
  dtap::redact_pii_text(r);
  EXPECT_TRUE(r["privacy_qa"][0]["located"][0]["text"].is_object());
  EXPECT_TRUE(r["privacy_qa"][0]["answers"]["name"][0].is_object());
  EXPECT_TRUE(r["words"][0]["text"].is_object());
  EXPECT_EQ(r["words"][1]["text"], "Settings");
  EXPECT_EQ(r.dump().find("Alice"), std::string::npos);
}
