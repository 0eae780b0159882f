#include <gtest/gtest.h>

#include "dtap/checksum.hpp"
#include "dtap/fake.hpp"

TEST(Checksum, Luhn) {
  EXPECT_TRUE(dtap::luhn_valid("4539 1488 0343 6467"));
  EXPECT_TRUE(dtap::luhn_valid("3782 822463 10005"));
  EXPECT_FALSE(dtap::luhn_valid("4539 1488 0343 6468"));
  EXPECT_FALSE(dtap::luhn_valid("1234"));
  EXPECT_EQ(dtap::luhn_check_digit("453914880343646"), '7');
}

TEST(Checksum, Iban) {
  EXPECT_TRUE(dtap::iban_valid("GB82 WEST 1234 5698 7654 32"));
  EXPECT_TRUE(dtap::iban_valid("DE89370400440532013000"));
  EXPECT_FALSE(dtap::iban_valid("GB82 WEST 1234 5698 7654 33"));
  EXPECT_FALSE(dtap::iban_valid("not an iban at all"));
  EXPECT_TRUE(dtap::iban_valid(dtap::make_iban("DE", "370400440532013000")));
  EXPECT_EQ(dtap::make_iban("DE", "370400440532013000"), "DE89 3704 0044 0532 0130 00");
}

TEST(Checksum, FakerValuesAreValid) {
  dtap::Rng rng(3);
  dtap::Faker f(rng, dtap::WordLists::shipped());
  for (int i = 0; i < 200; ++i) {
    EXPECT_TRUE(dtap::luhn_valid(f.card()));
    EXPECT_TRUE(dtap::iban_valid(f.iban()));
  }
}

TEST(Rng, SameSeedSameValues) {
  dtap::Rng a(42), b(42), c(43);
  for (int i = 0; i < 10; ++i) {
    auto va = a.next();
    EXPECT_EQ(va, b.next());
    EXPECT_NE(va, c.next());
  }
  EXPECT_NE(dtap::Rng::derive(1, 0), dtap::Rng::derive(1, 1));
}
