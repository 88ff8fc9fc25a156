// cxx_registry_racy.cpp: C++ workers register names in a std::map guarded
// by a std::mutex, but look a name up and insert it in two critical
// sections: two workers registering one name both count it as new. Uses
// std::thread, std::mutex, std::condition_variable::wait_for,
// std::call_once, std::atomic, a function's static std::string, and the
// heap through new and the containers.
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

static std::mutex lock;
static std::map<std::string, int> registry;
static int fresh;  // names counted as new
static std::atomic<int> done;
static std::once_flag once;
static int started_once;
static std::condition_variable go;
static bool ready;

static const std::string &prefix() {
  static const std::string p("worker-");  // constructed by the first call
  return p;
}

static void register_name(const std::string &name) {
  bool known;
  {
    std::lock_guard<std::mutex> g(lock);
    known = registry.count(name) != 0;
  }
  if (!known) {  // the name may have been registered since
    std::lock_guard<std::mutex> g(lock);
    registry[name]++;
    fresh++;
  }
}

static void worker(int id) {
  std::call_once(once, [] { started_once++; });
  {
    std::unique_lock<std::mutex> g(lock);
    go.wait_for(g, std::chrono::seconds(10), [] { return ready; });
  }
  auto names = std::make_unique<std::vector<std::string>>();
  names->push_back(prefix() + std::to_string(id));
  names->push_back("shared");
  for (const auto &n : *names) register_name(n);
  done++;
}

int main() {
  std::vector<std::thread> workers;
  for (int i = 0; i < 2; i++) workers.emplace_back(worker, i);
  {
    std::lock_guard<std::mutex> g(lock);
    ready = true;
  }
  go.notify_all();
  for (auto &t : workers) t.join();
  std::printf("fresh=%d names=%zu\n", fresh, registry.size());
  assert(done == 2 && started_once == 1);
  assert(fresh == (int)registry.size());
  return 0;
}
