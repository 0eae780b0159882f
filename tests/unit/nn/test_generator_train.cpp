// The dual-task objective and a tiny training run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "dtap/error.hpp"
#include "dtap/jsonl.hpp"
#include "dtap/synth.hpp"
#include "dtap/nn/train_generator.hpp"
#include "dtap/nn/generator.hpp"
#include "dtap/nn/protect_objective.hpp"
#include "../test_util.hpp"

namespace fs = std::filesystem;
using namespace dtap::nn;

using dtap::test::tmp_dir;

namespace {

// Two synthetic screens (PNGs + records) in `dir`; returns the records file.
std::string synth_records(const std::string& dir, int n) {
  dtap::SynthOptions so;
  so.seed = 5;
  so.out_dir = dir;
  std::ofstream out(dir + "/records.jsonl");
  for (int i = 0; i < n; ++i) {
    auto s = dtap::render_synth_screen(so, i);
    std::string png = dir + "/s" + std::to_string(i) + ".png";
    cv::imwrite(png, s.image);
    s.record["image"] = png;
    out << s.record.dump() << "\n";
  }
  return dir + "/records.jsonl";
}

}  // namespace

TEST(GeneratorObjective, PrivacyTermIsBoundedByKappa) {
  torch::manual_seed(2);
  auto reader = make_reader("conv");
  reader->eval();
  std::vector<std::shared_ptr<Reader>> readers{reader};
  auto x = torch::rand({1, 3, 64, 128});
  auto delta = torch::zeros({1, 1, 64, 128});
  auto m = torch::ones({1, 1, 64, 128});
  DualTargets t;
  t.pii_boxes = {dtap::BBox{10, 10, 100, 20}};
  t.pii_texts = {"ana.li@mail.com"};
  ObjectiveWeights w;
  w.alpha = 0;
  w.lambda_out = w.lambda_tv = w.lambda_l2 = 0;
  w.kappa = 1e-3;  // a random reader is far above this: the term is saturated
  auto terms = dual_objective(readers, x, delta, m, {t}, {}, w, 0.1);
  EXPECT_NEAR(terms.total.item<double>(), -1e-3, 1e-6);
  EXPECT_GT(terms.privacy, 1e-3);
  EXPECT_EQ(terms.unreadable, 1.0);
}

TEST(GeneratorObjective, RecordTargetsKeepWholeLinesInCropCoordinates) {
  dtap::Json r = {{"pii", {{{"label", "name"}, {"text", "Ana Li"}, {"bbox", {20, 30, 60, 20}}},
                           {{"label", "email"}, {"text", "a@b.c"}, {"bbox", {150, 30, 90, 20}}}}},
                  {"words", {{{"text", "Ana Li"}, {"bbox", {20, 30, 60, 20}}},
                             {{"text", "Send"}, {"bbox", {20, 60, 40, 20}}},
                             {{"text", "Far"}, {"bbox", {300, 300, 40, 20}}}}}};
  auto t = record_targets(r, cv::Rect(10, 20, 128, 64));
  ASSERT_EQ(t.pii_boxes.size(), 1u);  // the e-mail sticks out of the crop
  EXPECT_EQ(t.pii_texts[0], "Ana Li");
  EXPECT_DOUBLE_EQ(t.pii_boxes[0].x, 10);
  EXPECT_DOUBLE_EQ(t.pii_boxes[0].y, 10);
  ASSERT_EQ(t.task_boxes.size(), 1u);  // the PII word is not a task line
  EXPECT_EQ(t.task_texts[0], "Send");
}

TEST(GeneratorTraining, AFewStepsLowerTheLoss) {
  torch::manual_seed(4);
  auto reader = make_reader("conv");
  reader->eval();
  for (auto& p : reader->parameters()) p.set_requires_grad(false);
  std::vector<std::shared_ptr<Reader>> readers{reader};
  GeneratorConfig c;
  c.channels = {4, 8};
  c.eps = 0.3;
  Generator g(c);
  torch::optim::Adam opt(g->parameters(), torch::optim::AdamOptions(1e-2));
  auto x = torch::rand({2, 3, 64, 128});
  auto m = torch::zeros({2, 1, 64, 128});
  m.index_put_({torch::indexing::Slice(), 0, torch::indexing::Slice(8, 36), torch::indexing::Slice(8, 120)}, 1.0);
  DualTargets t;
  t.pii_boxes = {dtap::BBox{10, 10, 100, 24}};
  t.pii_texts = {"555 0142"};
  t.task_boxes = {dtap::BBox{10, 40, 100, 20}};
  t.task_texts = {"Send"};
  ObjectiveWeights w;
  w.kappa = 100;
  auto loss = [&] { return dual_objective(readers, g->apply(x, m, c.eps), g->delta(x, m, c.eps), m, {t, t}, {}, w, c.eps); };
  double first = loss().total.item<double>();
  for (int i = 0; i < 8; ++i) {
    auto terms = loss();
    opt.zero_grad();
    terms.total.backward();
    opt.step();
  }
  EXPECT_LT(loss().total.item<double>(), first - 1e-3);
}

// A tiny training in `dir`: 2 synthetic screens, a random conv reader, a small U-Net.
static dtap::GeneratorTrainOptions tiny_training(const std::string& dir) {
  std::string records = synth_records(dir, 2);
  torch::manual_seed(1);
  auto reader = make_reader("conv");
  save_reader(*reader, dir + "/reader-conv.pt", {{"note", "random, for the test"}});
  dtap::GeneratorTrainOptions o;
  o.data = {records};
  o.readers = {dir + "/reader-conv.pt"};
  o.output = dir + "/g.pt";
  o.channels = {4, 8};
  o.steps = 2;
  o.batch = 2;
  o.crop_width = 256;
  o.crop_height = 96;
  o.crops_per_screen = 2;
  o.eot_samples = 1;
  return o;
}

TEST(GeneratorTraining, RunWritesCheckpointManifestAndResumes) {
  std::string dir = tmp_dir("train-generator");
  dtap::GeneratorTrainOptions o = tiny_training(dir);
  dtap::RunContext common;
  common.threads = 1;
  common.seed = 3;
  common.quiet = true;
  ASSERT_EQ(dtap::run_train_generator(o, common), 0);
  dtap::Json manifest;
  auto g = load_generator(o.output, &manifest);
  EXPECT_EQ(manifest["training"]["steps_done"], 2);
  EXPECT_EQ(manifest["seed"], 3);
  EXPECT_EQ(manifest["threads"], 1);
  EXPECT_EQ(manifest["training"]["data_sha256"].get<std::string>().size(), 64u);
  EXPECT_TRUE(manifest["metrics"].contains("protected"));
  // Leave-one-family-out is explicit: the families it saw and those it never did.
  EXPECT_EQ(manifest["training"]["reader_families"], dtap::Json::array({"conv"}));
  EXPECT_EQ(manifest["training"]["families_left_out"], dtap::Json::array({"crnn", "svtr"}));
  // Without --resume or --force an existing checkpoint is not replaced.
  EXPECT_THROW(dtap::run_train_generator(o, common), dtap::UsageError);
  o.resume = true;
  o.steps = 3;
  ASSERT_EQ(dtap::run_train_generator(o, common), 0);
  load_generator(o.output, &manifest);
  EXPECT_EQ(manifest["training"]["steps_done"], 3);
}

TEST(GeneratorTraining, PsnrBudgetMovesTheL2MultiplierTowardsTheBudget) {
  std::string dir = tmp_dir("train-generator-budget");
  dtap::GeneratorTrainOptions o = tiny_training(dir);
  o.steps = 3;
  o.lambda_l2 = 0.5;
  dtap::RunContext context;
  context.threads = 1;
  context.seed = 3;
  auto multiplier_after = [&](double budget, const std::string& name) {
    o.psnr_budget = budget;
    o.output = dir + "/" + name + ".pt";
    EXPECT_EQ(dtap::run_train_generator(o, context), 0);
    dtap::Json manifest;
    load_generator(o.output, &manifest);
    EXPECT_EQ(manifest["training"]["objective"]["psnr_budget"], budget);
    return manifest["training"]["lambda_l2_now"].get<double>();
  };
  // Crops far noisier than a 70 dB budget: the weight rises; far cleaner than 5 dB: it falls.
  EXPECT_GT(multiplier_after(70, "strict"), 0.5);
  EXPECT_LT(multiplier_after(5, "loose"), 0.5);
  // Without a budget the weight stays fixed.
  EXPECT_EQ(multiplier_after(0, "fixed"), 0.5);
}
