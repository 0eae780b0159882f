#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dtap/error.hpp"
#include "dtap/nn/runtime.hpp"

TEST(Runtime, DeviceSelection) {
  EXPECT_EQ(dtap::select_device("cpu"), "cpu");
  EXPECT_THROW(dtap::select_device("tpu"), dtap::UsageError);
  if (!torch::cuda::is_available()) {
    EXPECT_THROW(dtap::select_device("cuda"), dtap::UsageError);
    EXPECT_EQ(dtap::select_device("auto"), "cpu");
  }
}

TEST(Runtime, ThreadsAndSeedApplied) {
  dtap::RunContext o;
  o.threads = 2;
  o.seed = 7;
  o.device = "cpu";
  EXPECT_EQ(dtap::configure_torch(o), "cpu");
  EXPECT_EQ(torch::get_num_threads(), 2);
  auto a = torch::rand({4});
  dtap::configure_torch(o);
  EXPECT_TRUE(torch::equal(a, torch::rand({4})));
}
