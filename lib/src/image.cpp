#include "dtap/image.hpp"

#include <cmath>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dtap/error.hpp"

namespace fs = std::filesystem;

namespace dtap {

cv::Rect pixel_rect(const BBox& box, cv::Size size) {
  const int x0 = static_cast<int>(std::floor(box.x)), y0 = static_cast<int>(std::floor(box.y));
  const int x1 = static_cast<int>(std::ceil(box.right())), y1 = static_cast<int>(std::ceil(box.bottom()));
  return cv::Rect(x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)) & cv::Rect(0, 0, size.width, size.height);
}
namespace {

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error("cannot read image '" + path + "': no such file");
  if (fs::is_directory(path, ec)) throw Error("cannot read image '" + path + "': is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read image '" + path + "': " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) throw Error("cannot read image '" + path + "': empty file");
  return bytes;
}

std::uint32_t be32(const std::string& b, std::size_t at) {
  auto u = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(b[at + i])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}
std::uint32_t le32(const std::string& b, std::size_t at) {
  auto u = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(b[at + i])); };
  return u(0) | (u(1) << 8) | (u(2) << 16) | (u(3) << 24);
}
unsigned byte_at(const std::string& b, std::size_t at) { return static_cast<unsigned char>(b[at]); }

enum class Format { png, jpeg, webp };

// Size from the header, plus a check that the file is complete.
cv::Size header_size(const std::string& path, const std::string& b, Format& format) {
  const std::string where = "image '" + path + "'";
  if (b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
    format = Format::png;
    if (b.size() < 33 || b.compare(12, 4, "IHDR") != 0) throw Error(where + " is truncated (no PNG header)");
    cv::Size size(static_cast<int>(std::min<std::uint32_t>(be32(b, 16), INT32_MAX)),
                  static_cast<int>(std::min<std::uint32_t>(be32(b, 20), INT32_MAX)));
    // The IEND chunk is always the same 12 bytes; it need not be last (phone
    // vendors append their own metadata after it, and libpng allows that).
    static const std::string iend("\0\0\0\0IEND\xAE\x42\x60\x82", 12);
    const bool ended = b.size() >= 45 && b.find(iend, 33) != std::string::npos;
    if (!ended) throw Error(where + " is truncated (PNG has no IEND chunk)");
    return size;
  }
  if (b.size() >= 3 && byte_at(b, 0) == 0xFF && byte_at(b, 1) == 0xD8 && byte_at(b, 2) == 0xFF) {
    format = Format::jpeg;
    cv::Size size(-1, -1);
    std::size_t i = 2;
    while (i + 9 < b.size()) {
      if (byte_at(b, i) != 0xFF) throw Error(where + " is corrupt (bad JPEG marker)");
      unsigned marker = byte_at(b, i + 1);
      if (marker == 0xFF) { ++i; continue; }
      std::size_t len = (byte_at(b, i + 2) << 8) | byte_at(b, i + 3);
      bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        size.height = static_cast<int>((byte_at(b, i + 5) << 8) | byte_at(b, i + 6));
        size.width = static_cast<int>((byte_at(b, i + 7) << 8) | byte_at(b, i + 8));
        break;
      }
      i += 2 + len;
    }
    if (size.width < 0) throw Error(where + " is truncated (no JPEG frame header)");
    // A complete JPEG ends with the EOI marker (some writers pad after it).
    bool eoi = false;
    for (std::size_t j = b.size() >= 2 ? b.size() - 2 : 0, n = 0; n < 256 && j > 0; --j, ++n)
      if (byte_at(b, j) == 0xFF && byte_at(b, j + 1) == 0xD9) { eoi = true; break; }
    if (!eoi) throw Error(where + " is truncated (JPEG has no end marker)");
    return size;
  }
  if (b.size() >= 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0) {
    format = Format::webp;
    if (le32(b, 4) + 8 > b.size()) throw Error(where + " is truncated (WebP shorter than its RIFF size)");
    if (b.size() < 30) throw Error(where + " is truncated (no WebP header)");
    std::string chunk = b.substr(12, 4);
    if (chunk == "VP8X")
      return {int(1 + (le32(b, 24) & 0xFFFFFF)), int(1 + (le32(b, 27) & 0xFFFFFF))};
    if (chunk == "VP8L") {
      std::uint32_t bits = le32(b, 21);
      return {int(1 + (bits & 0x3FFF)), int(1 + ((bits >> 14) & 0x3FFF))};
    }
    if (chunk == "VP8 ")
      return {int((byte_at(b, 26) | (byte_at(b, 27) << 8)) & 0x3FFF), int((byte_at(b, 28) | (byte_at(b, 29) << 8)) & 0x3FFF)};
    throw Error(where + " is corrupt (unknown WebP chunk)");
  }
  throw Error(where + " is not a PNG, JPEG or WebP file (corrupt or unsupported)");
}

cv::Mat decode_checked(const std::string& path, std::int64_t max_pixels) {
  std::string bytes = read_file_bytes(path);
  Format format;
  cv::Size size = header_size(path, bytes, format);
  const std::string where = "image '" + path + "'";
  if (size.width <= 0 || size.height <= 0)
    throw Error(where + " has no pixels (" + std::to_string(size.width) + "x" + std::to_string(size.height) + ")");
  if (static_cast<std::int64_t>(size.width) * size.height > max_pixels)
    throw Error(where + " is too large (" + std::to_string(size.width) + "x" + std::to_string(size.height) +
                " > " + std::to_string(max_pixels) + " pixels; see --max-pixels)");
  cv::Mat raw;
  try {
    raw = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    throw Error(where + " cannot be decoded (" + e.msg + ")");
  }
  if (raw.empty()) throw Error(where + " is corrupt (cannot be decoded)");
  if (raw.size() != size) throw Error(where + " is corrupt (header and pixels disagree on size)");
  return raw;
}

// Any decoded Mat -> float BGR in [0,1], alpha composited on white.
cv::Mat to_bgr_float(const cv::Mat& raw) {
  double scale;
  switch (raw.depth()) {
    case CV_8U: scale = 1.0 / 255; break;
    case CV_16U: scale = 1.0 / 65535; break;
    case CV_32F: scale = 1.0; break;
    default: throw Error("unsupported pixel depth");
  }
  cv::Mat f;
  raw.convertTo(f, CV_MAKETYPE(CV_32F, raw.channels()), scale);
  cv::Mat bgr;
  switch (raw.channels()) {
    case 1: cv::cvtColor(f, bgr, cv::COLOR_GRAY2BGR); break;
    case 3: bgr = f; break;
    case 2:
    case 4: {
      std::vector<cv::Mat> ch;
      cv::split(f, ch);
      cv::Mat alpha = ch.back();
      std::vector<cv::Mat> colour(ch.begin(), ch.end() - 1);
      if (colour.size() == 1) colour = {colour[0], colour[0], colour[0]};
      cv::Mat inv = 1.0 - alpha;
      for (auto& c : colour) c = c.mul(alpha) + inv;  // on white
      cv::merge(colour, bgr);
      break;
    }
    default: throw Error("unsupported channel count " + std::to_string(raw.channels()));
  }
  return bgr;
}

std::atomic<unsigned> g_temp_counter{0};

void write_bytes_atomic(const std::string& path, const void* data, std::size_t size) {
  fs::path target(path);
  std::error_code ec;
  if (fs::exists(target, ec) && !fs::is_regular_file(target, ec))
    throw Error("refusing to write '" + path + "': it exists and is not a regular file");
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  fs::path temp = target.parent_path() /
                  ("." + target.filename().string() + ".tmp-" + std::to_string(getpid()) + "-" +
                   std::to_string(g_temp_counter++));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) throw Error("cannot write '" + path + "': " + std::strerror(errno));
  const char* p = static_cast<const char*>(data);
  std::size_t left = size;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      fs::remove(temp, ec);
      throw Error("cannot write '" + path + "': " + std::strerror(err));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    fs::remove(temp, ec);
    throw Error("cannot write '" + path + "': " + std::strerror(errno));
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw Error("cannot write '" + path + "': " + ec.message());
  }
}

}  // namespace

cv::Size read_image_size(const std::string& path) {
  std::string bytes = read_file_bytes(path);
  Format format;
  return header_size(path, bytes, format);
}

cv::Mat load_image_rgb(const std::string& path, std::int64_t max_pixels) {
  cv::Mat bgr = to_bgr_float(decode_checked(path, max_pixels));
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

cv::Mat load_image_bgr8(const std::string& path, std::int64_t max_pixels) {
  cv::Mat raw = decode_checked(path, max_pixels);
  if (raw.depth() == CV_8U && raw.channels() == 3) return raw;
  cv::Mat out;
  to_bgr_float(raw).convertTo(out, CV_8UC3, 255.0);
  return out;
}

cv::Mat rgb_float_to_bgr8(const cv::Mat& rgb) {
  cv::Mat bgr, out;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  bgr.convertTo(out, CV_8UC3, 255.0);  // saturating, rounds to nearest
  return out;
}

cv::Mat bgr8_to_rgb_float(const cv::Mat& bgr) {
  cv::Mat f, rgb;
  bgr.convertTo(f, CV_32FC3, 1.0 / 255);
  cv::cvtColor(f, rgb, cv::COLOR_BGR2RGB);
  return rgb;
}

void write_png_atomic(const std::string& path, const cv::Mat& image) {
  if (image.empty()) throw Error("cannot write '" + path + "': empty image");
  std::vector<uchar> buffer;
  if (!cv::imencode(".png", image, buffer, {cv::IMWRITE_PNG_COMPRESSION, 3}))
    throw Error("cannot encode PNG for '" + path + "'");
  write_bytes_atomic(path, buffer.data(), buffer.size());
}

void write_text_atomic(const std::string& path, const std::string& text) {
  write_bytes_atomic(path, text.data(), text.size());
}

bool output_is_readable(const Json& record, const std::string& field) {
  if (!record.contains(field) || !record[field].is_string()) return false;
  try {
    // Outputs are written through a temporary file and a rename: one that exists
    // is whole, so its header is enough (no decoding per resumed record).
    const cv::Size size = read_image_size(record[field].get<std::string>());
    return size.width > 0 && size.height > 0;
  } catch (const std::exception&) {
    return false;
  }
}

void check_output_path(const std::string& out, const std::vector<std::string>& inputs, bool force) {
  std::error_code ec;
  fs::path target = fs::weakly_canonical(out, ec);
  for (const auto& input : inputs) {
    if (input.empty()) continue;
    std::error_code ec2;
    bool same = fs::exists(out, ec2) && fs::exists(input, ec2) ? fs::equivalent(out, input, ec2)
                                                               : target == fs::weakly_canonical(input, ec2);
    if (same) throw Error("refusing to write '" + out + "': it is an input");
  }
  if (!force && fs::exists(out, ec))
    throw Error("refusing to overwrite '" + out + "' (use --force to replace earlier outputs)");
}

}  // namespace dtap
