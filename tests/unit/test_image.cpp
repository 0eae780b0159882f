#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "dtap/error.hpp"
#include "dtap/image.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

using dtap::test::tmp_dir;
using dtap::test::bytes_of;

namespace {

void put_bytes(const std::string& path, const std::string& b) {
  std::ofstream out(path, std::ios::binary);
  out << b;
}

// Expects load_image_rgb to throw a dtap::Error whose message contains `needle`.
void expect_load_error(const std::string& path, const std::string& needle, std::int64_t max_pixels = dtap::kDefaultMaxPixels) {
  try {
    dtap::load_image_rgb(path, max_pixels);
    FAIL() << "no error for " << path;
  } catch (const dtap::Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

class ImageLoad : public ::testing::Test {
 protected:
  void SetUp() override { dir = tmp_dir("image"); }
  std::string dir;
  std::string path(const std::string& n) { return dir + "/" + n; }
};

}  // namespace

TEST_F(ImageLoad, Rgb8) {
  cv::Mat bgr(4, 6, CV_8UC3, cv::Scalar(255, 0, 0));  // blue
  cv::imwrite(path("a.png"), bgr);
  cv::Mat rgb = dtap::load_image_rgb(path("a.png"));
  ASSERT_EQ(rgb.type(), CV_32FC3);
  ASSERT_EQ(rgb.size(), cv::Size(6, 4));
  auto px = rgb.at<cv::Vec3f>(0, 0);
  EXPECT_FLOAT_EQ(px[0], 0.f);
  EXPECT_FLOAT_EQ(px[2], 1.f);
}

TEST_F(ImageLoad, Grey8) {
  cv::Mat g(3, 3, CV_8UC1, cv::Scalar(51));
  cv::imwrite(path("g.png"), g);
  auto px = dtap::load_image_rgb(path("g.png")).at<cv::Vec3f>(1, 1);
  EXPECT_NEAR(px[0], 0.2f, 1e-6);
  EXPECT_NEAR(px[1], 0.2f, 1e-6);
  EXPECT_NEAR(px[2], 0.2f, 1e-6);
}

TEST_F(ImageLoad, Rgb16) {
  cv::Mat m(2, 2, CV_16UC3, cv::Scalar(0, 32768, 65535));
  cv::imwrite(path("d.png"), m);
  auto px = dtap::load_image_rgb(path("d.png")).at<cv::Vec3f>(0, 0);
  EXPECT_NEAR(px[0], 1.0f, 1e-6);
  EXPECT_NEAR(px[1], 0.5f, 1e-4);
  EXPECT_NEAR(px[2], 0.0f, 1e-6);
  cv::Mat g16(2, 2, CV_16UC1, cv::Scalar(65535));
  cv::imwrite(path("g16.png"), g16);
  EXPECT_NEAR(dtap::load_image_rgb(path("g16.png")).at<cv::Vec3f>(1, 1)[1], 1.0f, 1e-6);
}

TEST_F(ImageLoad, RgbaCompositedOnWhite) {
  cv::Mat m(2, 2, CV_8UC4, cv::Scalar(0, 0, 0, 0));  // transparent black
  m.at<cv::Vec4b>(0, 0) = {0, 0, 255, 255};          // opaque red
  m.at<cv::Vec4b>(1, 1) = {0, 0, 0, 128};            // half black
  cv::imwrite(path("rgba.png"), m);
  cv::Mat rgb = dtap::load_image_rgb(path("rgba.png"));
  EXPECT_NEAR(rgb.at<cv::Vec3f>(0, 1)[0], 1.0f, 1e-6);  // transparent -> white
  EXPECT_NEAR(rgb.at<cv::Vec3f>(0, 0)[0], 1.0f, 1e-6);
  EXPECT_NEAR(rgb.at<cv::Vec3f>(0, 0)[1], 0.0f, 1e-6);
  EXPECT_NEAR(rgb.at<cv::Vec3f>(1, 1)[1], 1.0f - 128 / 255.f, 1e-4);
  cv::Mat bgr8 = dtap::load_image_bgr8(path("rgba.png"));
  EXPECT_EQ(bgr8.type(), CV_8UC3);
  EXPECT_EQ(bgr8.at<cv::Vec3b>(0, 1), cv::Vec3b(255, 255, 255));
}

TEST_F(ImageLoad, Rgba16) {
  cv::Mat m(2, 2, CV_16UC4, cv::Scalar(65535, 0, 0, 65535));
  cv::imwrite(path("rgba16.png"), m);
  EXPECT_NEAR(dtap::load_image_rgb(path("rgba16.png")).at<cv::Vec3f>(0, 0)[2], 1.0f, 1e-6);
}

TEST_F(ImageLoad, JpegAndWebp) {
  cv::Mat m(16, 16, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::imwrite(path("j.jpg"), m);
  EXPECT_EQ(dtap::load_image_rgb(path("j.jpg")).size(), cv::Size(16, 16));
  cv::imwrite(path("w.webp"), m);
  EXPECT_EQ(dtap::read_image_size(path("w.webp")), cv::Size(16, 16));
  EXPECT_EQ(dtap::load_image_rgb(path("w.webp")).size(), cv::Size(16, 16));
}

TEST_F(ImageLoad, Missing) { expect_load_error(path("nope.png"), "no such file"); }

TEST_F(ImageLoad, Directory) { expect_load_error(dir, "is a directory"); }

TEST_F(ImageLoad, EmptyFile) {
  put_bytes(path("e.png"), "");
  expect_load_error(path("e.png"), "empty file");
}

TEST_F(ImageLoad, NotAnImage) {
  put_bytes(path("x.png"), "hello, this is text, not pixels");
  expect_load_error(path("x.png"), "not a PNG, JPEG or WebP");
}

TEST_F(ImageLoad, TruncatedPng) {
  cv::Mat m(64, 64, CV_8UC3);
  cv::randu(m, 0, 255);
  cv::imwrite(path("full.png"), m);
  std::string b = bytes_of(path("full.png"));
  put_bytes(path("t.png"), b.substr(0, b.size() / 2));
  expect_load_error(path("t.png"), "truncated");
  put_bytes(path("t2.png"), b.substr(0, 20));
  expect_load_error(path("t2.png"), "truncated");
}

TEST_F(ImageLoad, PngWithBytesAfterIend) {
  // Some phones append their own metadata after IEND (seen on real store screenshots).
  cv::Mat m(64, 48, CV_8UC3);
  cv::randu(m, 0, 255);
  cv::imwrite(path("full.png"), m);
  put_bytes(path("tail.png"), bytes_of(path("full.png")) + std::string("\x00\x01vendor-metadataSEFT", 20));
  EXPECT_EQ(dtap::read_image_size(path("tail.png")), cv::Size(48, 64));
  EXPECT_EQ(dtap::load_image_rgb(path("tail.png")).size(), cv::Size(48, 64));
}

TEST_F(ImageLoad, CorruptPngData) {
  cv::Mat m(64, 64, CV_8UC3);
  cv::randu(m, 0, 255);
  cv::imwrite(path("full.png"), m);
  std::string b = bytes_of(path("full.png"));
  for (std::size_t i = 60; i < b.size() - 40; ++i) b[i] = static_cast<char>(b[i] ^ 0x5a);
  put_bytes(path("c.png"), b);
  expect_load_error(path("c.png"), "corrupt");
}

TEST_F(ImageLoad, TruncatedJpeg) {
  cv::Mat m(64, 64, CV_8UC3);
  cv::randu(m, 0, 255);
  cv::imwrite(path("full.jpg"), m);
  std::string b = bytes_of(path("full.jpg"));
  put_bytes(path("t.jpg"), b.substr(0, b.size() * 2 / 3));
  expect_load_error(path("t.jpg"), "truncated");
}

TEST_F(ImageLoad, ZeroSizeAndHugeFromHeader) {
  cv::Mat m(8, 8, CV_8UC3, cv::Scalar::all(9));
  cv::imwrite(path("s.png"), m);
  std::string b = bytes_of(path("s.png"));
  std::string zero = b;
  for (int i = 16; i < 24; ++i) zero[i] = 0;  // IHDR width and height = 0
  put_bytes(path("zero.png"), zero);
  expect_load_error(path("zero.png"), "has no pixels (0x0)");
  std::string huge = b;
  const unsigned char dims[8] = {0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0};  // 100000 x 100000
  for (int i = 0; i < 8; ++i) huge[16 + i] = static_cast<char>(dims[i]);
  put_bytes(path("huge.png"), huge);
  expect_load_error(path("huge.png"), "too large (100000x100000");
  expect_load_error(path("s.png"), "too large", 63);  // limit is configurable
}

TEST(AtomicWrite, WritesCompleteFileAndNoTemporaries) {
  std::string dir = tmp_dir("atomic");
  cv::Mat m(10, 12, CV_8UC3, cv::Scalar(1, 2, 3));
  dtap::write_png_atomic(dir + "/sub/out.png", m);  // parent folders are created
  cv::Mat back = cv::imread(dir + "/sub/out.png", cv::IMREAD_UNCHANGED);
  EXPECT_EQ(cv::norm(back, m, cv::NORM_INF), 0.0);
  cv::Mat m2(10, 12, CV_8UC3, cv::Scalar(7, 7, 7));
  dtap::write_png_atomic(dir + "/sub/out.png", m2);
  EXPECT_EQ(cv::norm(cv::imread(dir + "/sub/out.png"), m2, cv::NORM_INF), 0.0);
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir + "/sub")) {
    ++files;
    EXPECT_EQ(e.path().filename(), "out.png");
  }
  EXPECT_EQ(files, 1);
}

TEST(AtomicWrite, FailureLeavesNothing) {
  std::string dir = tmp_dir("atomic-fail");
  put_bytes(dir + "/file", "x");
  cv::Mat m(4, 4, CV_8UC3, cv::Scalar::all(0));
  EXPECT_THROW(dtap::write_png_atomic(dir + "/file/out.png", m), dtap::Error);  // parent is a file
  EXPECT_THROW(dtap::write_png_atomic(dir + "/empty.png", cv::Mat()), dtap::Error);
  EXPECT_THROW(dtap::write_text_atomic("/dev/null", "x"), dtap::Error);  // never replace a device
  EXPECT_THROW(dtap::write_text_atomic(dir, "x"), dtap::Error);          // nor a folder
  EXPECT_FALSE(fs::exists(dir + "/empty.png"));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) (void)e, ++files;
  EXPECT_EQ(files, 1);
}

TEST(OutputGuard, NeverOverwritesInputs) {
  std::string dir = tmp_dir("guard");
  put_bytes(dir + "/in.png", "x");
  put_bytes(dir + "/old.png", "x");
  EXPECT_THROW(dtap::check_output_path(dir + "/in.png", {dir + "/in.png"}, true), dtap::Error);
  EXPECT_THROW(dtap::check_output_path(dir + "/./in.png", {dir + "/in.png"}, true), dtap::Error);
  EXPECT_THROW(dtap::check_output_path(dir + "/old.png", {dir + "/in.png"}, false), dtap::Error);
  EXPECT_NO_THROW(dtap::check_output_path(dir + "/old.png", {dir + "/in.png"}, true));
  EXPECT_NO_THROW(dtap::check_output_path(dir + "/new.png", {dir + "/in.png"}, false));
}

TEST(Image, PixelRectRoundsOutwardAndClips) {
  EXPECT_EQ(dtap::pixel_rect(dtap::BBox{1.5, 2.2, 3.0, 4.0}, cv::Size(100, 100)), cv::Rect(1, 2, 4, 5));
  EXPECT_EQ(dtap::pixel_rect(dtap::BBox{-5, 95, 20, 20}, cv::Size(100, 100)), cv::Rect(0, 95, 15, 5));
  EXPECT_EQ(dtap::pixel_rect(dtap::BBox{200, 200, 5, 5}, cv::Size(100, 100)).area(), 0);
}
