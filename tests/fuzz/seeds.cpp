// Writes the fuzz targets' seeds that the repository does not hold as
// files, into the directory given: a checkpoint saved by tl::save for the
// objects the checkpoint target loads, the same objects as safetensors,
// .npz and .npy files for the weights target, and a small gzip'd CSV file.
// examples/data/iris.csv seeds the CSV target as it is.

#include <cstdio>
#include <filesystem>
#include <string>
#include <utility>

#include <zlib.h>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/io/npy.hpp>
#include <tapeless/io/safetensors.hpp>
#include <tapeless/io/torch.hpp>

#include "fuzz_objects.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <directory>\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);

  tapeless_fuzz::objects o;
  tapeless::random_engine rng(1);
  tapeless::initialize(o.m, rng);
  tapeless::save(dir / "model.tlck", o.m, o.adam);
  // The weights target's: the same objects as safetensors and .npz, the
  // model under PyTorch's names, one weight as .npy.
  tapeless::io::save_safetensors(dir / "model.safetensors", o.m, o.adam);
  tapeless::io::save_safetensors(dir / "torch.safetensors", tapeless::io::torch_sequential(o.m));
  tapeless::io::save_npz(dir / "model.npz", o.m, o.adam);
  tapeless::io::save_npy(dir / "w.npy", o.m.layer<0>().weight.value);

  // Two gzip members back to back, as cat a.gz b.gz makes.
  const std::string first = "5.1,3.5,1.4,0.2,0\r\n7.0,3.2,4.7,1.4,1\n";
  const std::string second = "6.3,3.3,6.0,2.5,2\n";
  const std::string gz = (dir / "small.csv.gz").string();
  for (const auto& [text, mode] : {std::pair{first, "wb"}, std::pair{second, "ab"}}) {
    gzFile out = gzopen(gz.c_str(), mode);
    if (!out || gzwrite(out, text.data(), unsigned(text.size())) != int(text.size()) ||
        gzclose(out) != Z_OK) {
      std::fprintf(stderr, "cannot write %s\n", gz.c_str());
      return 1;
    }
  }
  return 0;
}
