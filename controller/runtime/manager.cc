#include "controller/runtime/manager.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace decnet::controller {

Manager::Manager(api::Client& client, ManagerOptions options)
    : client_(client), options_(options) {}

Manager::~Manager() { stop(); }

void Manager::add(ReconcilerPtr reconciler) {
  auto entry = std::make_unique<Entry>();
  const std::string name(reconciler->name());
  entry->stats = std::make_unique<ReconcilerStats>();
  if (options_.metrics != nullptr) {
    auto& registry = *options_.metrics;
    entry->queue = std::make_unique<WorkQueue>(options_.backoff,
                                               WorkQueueMetrics::registerFor(registry, name));
    entry->queue->registerProgress(registry, name);
    auto& stats = *entry->stats;
    const auto result = [&](const char* outcome) {
      return registry.counter("controller_runtime_reconcile_total",
                              "Total number of reconciliations per controller",
                              {{"controller", name}, {"result", outcome}});
    };
    stats.success = result("success");
    stats.error = result("error");
    stats.requeue = result("requeue");
    stats.requeueAfter = result("requeue_after");
    stats.errorsTotal = registry.counter("controller_runtime_reconcile_errors_total",
                                         "Total number of reconciliation errors per controller",
                                         {{"controller", name}});
    stats.time = registry.histogram("controller_runtime_reconcile_time_seconds",
                                    "Length of time per reconciliation per controller",
                                    {{"controller", name}});
  } else {
    entry->queue = std::make_unique<WorkQueue>(options_.backoff);
  }
  entry->reconciler = std::move(reconciler);
  Entry* raw = entry.get();
  const std::string ownKind(raw->reconciler->kind());
  informerFor(ownKind).addHandler([raw](const api::Object* old, const api::Object* now) {
    if (!raw->reconciler->wakesOnOwnChange(old, now)) return;
    const api::Object* object = now != nullptr ? now : old;
    raw->queue->add(object->key());
  });
  for (auto& watch : raw->reconciler->watches()) {
    auto map = watch.map;
    const bool ignoreStatusWrites = watch.ignoreStatusWrites;
    const auto updateDelay = watch.updateDelay;
    auto wakesOn = watch.wakesOn;
    informerFor(watch.kind)
        .addHandler([raw, map, ignoreStatusWrites, updateDelay, wakesOn](const api::Object* old,
                                                                         const api::Object* now) {
          if (wakesOn && !wakesOn(old, now)) return;
          const bool updated = old != nullptr && now != nullptr && old != now;
          const bool statusOnly = updated && old->metadata.uid == now->metadata.uid &&
                                  old->metadata.generation == now->metadata.generation &&
                                  old->metadata.labels == now->metadata.labels &&
                                  old->deleting() == now->deleting();
          if (ignoreStatusWrites && statusOnly) return;
          const auto keys = map(now != nullptr ? *now : *old);
          if (!updated) {
            for (const auto& key : keys) raw->queue->add(key);
            return;
          }
          // A change that moves an object between owners wakes the old owner too, at once.
          const auto oldKeys = map(*old);
          if (updateDelay.count() > 0 && oldKeys == keys) {
            for (const auto& key : keys) raw->queue->addAfter(key, updateDelay);
            return;
          }
          for (const auto& key : keys) raw->queue->add(key);
          for (const auto& key : oldKeys) raw->queue->add(key);
        });
  }
  entries_.push_back(std::move(entry));
}

Informer& Manager::informerFor(const std::string& kind) {
  auto& slot = informers_[kind];
  if (!slot) slot = std::make_unique<Informer>(client_, kind, options_.resync);
  return *slot;
}

void Manager::start() {
  if (started_) return;
  started_ = true;
  for (auto& [kind, informer] : informers_) informer->start();
  for (auto& [kind, informer] : informers_) {
    if (!informer->waitForSync(std::chrono::seconds(30))) {
      spdlog::warn("informer {} has not synced after 30s; starting workers anyway", kind);
    }
  }
  for (auto& entry : entries_) {
    for (int i = 0; i < options_.workers; ++i) {
      threads_.emplace_back([this, e = entry.get()] {
        // Named in `top -H` and for per-thread CPU figures (15 characters at most).
        const std::string name = "rec:" + std::string(e->reconciler->name());
        pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
        work(*e);
      });
    }
  }
  spdlog::info("manager started {} reconcilers with {} workers each", entries_.size(),
               options_.workers);
}

void Manager::work(Entry& entry) {
  const std::string name(entry.reconciler->name());
  while (auto key = entry.queue->get()) {
    const auto started = std::chrono::steady_clock::now();
    auto outcome = entry.reconciler->reconcile(Request{*key});
    auto& stats = *entry.stats;
    stats.time.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    stats.reconciles++;
    if (!outcome) {
      stats.error.inc();
      stats.errorsTotal.inc();
    } else if (outcome->requeue_after.count() > 0) {
      stats.requeueAfter.inc();
    } else {
      stats.success.inc();
    }
    if (outcome) {
      entry.queue->forget(*key);
      if (outcome->requeue_after.count() > 0) entry.queue->addAfter(*key, outcome->requeue_after);
    } else {
      entry.stats->errors++;
      const auto code = outcome.error().code;
      if (code == Errc::kTerminal || code == Errc::kInvalid) {
        spdlog::warn("{}: {} failed for good: {}", name, key->str(), outcome.error().message);
        entry.queue->forget(*key);
      } else {
        spdlog::debug("{}: {} will be retried: {}", name, key->str(), outcome.error().message);
        entry.queue->addRateLimited(*key);
      }
    }
    entry.queue->done(*key);
  }
}

void Manager::stop() {
  if (!started_) return;
  started_ = false;
  for (auto& entry : entries_) entry->queue->shutDown();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  for (auto& [kind, informer] : informers_) informer->stop();
}

void Manager::enqueue(std::string_view reconciler, const Request& request) {
  for (const auto& entry : entries_) {
    if (entry->reconciler->name() == reconciler) entry->queue->add(request.key);
  }
}

const ReconcilerStats& Manager::stats(std::string_view reconciler) const {
  for (const auto& entry : entries_) {
    if (entry->reconciler->name() == reconciler) return *entry->stats;
  }
  static const ReconcilerStats kNone;
  return kNone;
}

}  // namespace decnet::controller
