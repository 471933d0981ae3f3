// Certificate reload: a change is loaded once it has held still for one poll; a file that does
// not load leaves the previous context serving, is reported once, and is retried only when the
// files change again; connections keep the context they started with.

#include "data-plane/tls/context_slot.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "data-plane/tls/context_registry.h"
#include "tests/unit/data-plane/tls/tls_test_util.h"

namespace portico::dp::tls {
namespace {

using testing::handshake;
using testing::Pki;
using testing::settingsFor;
using Reload = ContextSlot::Reload;

class ContextSlotTest : public ::testing::Test {
 protected:
  ContextSlotTest() : metrics_(std::make_shared<TlsMetrics>(&registry_)) {
    settings_ = settingsFor(pki_);
    settings_.certificates.resize(1);  // a.test only
    stats_ = std::make_shared<const ListenerTlsStats>(metrics_, "secure");
    auto initial = ServerContext::create(settings_, stats_);
    EXPECT_TRUE(initial.ok()) << initial.status();
    slot_ = std::make_unique<ContextSlot>(settings_, stats_, *initial);
  }

  std::string servedSubject() { return handshake(*slot_->current(), {"a.test"}).server_subject; }
  double reloads(const std::string& result) {
    return metrics_->reloads.Add({{"listener", "secure"}, {"result", result}}).Value();
  }
  // A new certificate for a.test with `organization`, written over a's files.
  void rotate(const std::string& organization) {
    portico::testing::writePemPair(pki_.dir, "a", pki_.ca.issue({"a.test", organization, {"a.test"}}));
  }

  Pki pki_;
  prometheus::Registry registry_;
  std::shared_ptr<TlsMetrics> metrics_;
  TlsSettings settings_;
  std::shared_ptr<const ListenerTlsStats> stats_;
  std::unique_ptr<ContextSlot> slot_;
};

TEST_F(ContextSlotTest, UnchangedFilesAreNotReloaded) {
  const auto before = slot_->current();
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kUnchanged);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kUnchanged);
  EXPECT_EQ(slot_->current(), before);
  EXPECT_EQ(reloads("ok"), 0);
}

TEST_F(ContextSlotTest, ChangedFilesAreLoadedAfterHoldingStill) {
  const auto before = slot_->current();
  EXPECT_EQ(servedSubject(), "CN=a.test");
  rotate("Rotated");
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->current(), before) << "not before the change has held still for one poll";
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kReloaded);
  EXPECT_NE(slot_->current(), before);
  EXPECT_EQ(servedSubject(), "CN=a.test,O=Rotated");
  EXPECT_EQ(reloads("ok"), 1);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kUnchanged);
  // A handshake that started on the old context still completes with the old certificate.
  EXPECT_EQ(handshake(*before, {"a.test"}).server_subject, "CN=a.test");
}

TEST_F(ContextSlotTest, AChangeStillInProgressWaitsForTheNextPoll) {
  rotate("One");
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  rotate("Second");  // changed again before the next poll
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kReloaded);
  EXPECT_EQ(servedSubject(), "CN=a.test,O=Second");
}

TEST_F(ContextSlotTest, BadFilesKeepThePreviousContext) {
  const auto before = slot_->current();
  portico::testing::replaceFile(pki_.a.second, "not a key\n");
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kFailed);
  EXPECT_EQ(slot_->current(), before);
  EXPECT_EQ(servedSubject(), "CN=a.test");
  EXPECT_EQ(reloads("failed"), 1);
  EXPECT_EQ(slot_->lastError().rfind("tls_certificates[0].private_key: ", 0), 0u) << slot_->lastError();
  // Reported once: the same bad files are not retried (nor counted) at every poll.
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kUnchanged);
  EXPECT_EQ(reloads("failed"), 1);

  // Fixed files are picked up.
  rotate("Fixed");
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kReloaded);
  EXPECT_EQ(servedSubject(), "CN=a.test,O=Fixed");
  EXPECT_EQ(slot_->lastError(), "");
}

TEST_F(ContextSlotTest, KeyFromAnotherCertificateIsAFailedReload) {
  // Only the certificate replaced: the old key does not match it.
  const portico::testing::PemPair next = pki_.ca.issue({"a.test", "Half", {"a.test"}});
  portico::testing::replaceFile(pki_.a.first, next.certificate);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kFailed);
  EXPECT_NE(slot_->lastError().find("does not match the certificate in"), std::string::npos);
  // The key arrives: now the pair loads.
  portico::testing::replaceFile(pki_.a.second, next.key);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kReloaded);
  EXPECT_EQ(servedSubject(), "CN=a.test,O=Half");
}

TEST_F(ContextSlotTest, DeletedFileIsAFailedReload) {
  ASSERT_EQ(std::remove(pki_.a.first.c_str()), 0);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kSettling);
  EXPECT_EQ(slot_->reloadIfChanged(), Reload::kFailed);
  EXPECT_NE(slot_->lastError().find("No such file or directory"), std::string::npos);
  EXPECT_EQ(servedSubject(), "CN=a.test");
}

// ---- the registry: one slot per (listener, settings) while a snapshot holds it ---------------

namespace tls_v3 = envoy::extensions::transport_sockets::tls::v3;

tls_v3::DownstreamTlsContext contextFor(const std::pair<std::string, std::string>& files) {
  tls_v3::DownstreamTlsContext context;
  auto* certificate = context.mutable_common_tls_context()->add_tls_certificates();
  certificate->mutable_certificate_chain()->set_filename(files.first);
  certificate->mutable_private_key()->set_filename(files.second);
  return context;
}

TEST(ContextRegistryTest, SameSettingsShareTheSlotWhileItLives) {
  Pki pki;
  ContextRegistry registry;
  std::vector<std::string> errors;
  auto first = registry.slotFor("secure", contextFor(pki.a), "where", errors);
  ASSERT_NE(first, nullptr);
  auto again = registry.slotFor("secure", contextFor(pki.a), "where", errors);
  EXPECT_EQ(first, again) << "an unrelated update keeps the context (and its session keys)";
  EXPECT_NE(registry.slotFor("other", contextFor(pki.a), "where", errors), first);
  EXPECT_NE(registry.slotFor("secure", contextFor(pki.b), "where", errors), first);
  EXPECT_TRUE(errors.empty());
  std::weak_ptr<ContextSlot> weak = first;
  first.reset();
  again.reset();
  EXPECT_TRUE(weak.expired());
  EXPECT_TRUE(registry.live().empty()) << "the registry holds no slot alive by itself";
  // Asked again, the slot is built anew: the files are read now (no reload involved).
  portico::testing::writePemPair(pki.dir, "a", pki.ca.issue({"a.test", "Later", {"a.test"}}));
  auto fresh = registry.slotFor("secure", contextFor(pki.a), "where", errors);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->current()->certificates()[0].subject, "CN=a.test,O=Later");
  EXPECT_EQ(registry.live().size(), 1u);
}

TEST(ContextRegistryTest, BadSettingsAndFilesAreErrors) {
  Pki pki;
  ContextRegistry registry;
  std::vector<std::string> errors;
  EXPECT_EQ(registry.slotFor("secure", contextFor({pki.a.first, pki.b.second}), "L", errors), nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], cat("L.common_tls_context.tls_certificates[0].private_key: ", pki.b.second,
                           " does not match the certificate in ", pki.a.first));
  errors.clear();
  tls_v3::DownstreamTlsContext context = contextFor(pki.a);
  context.mutable_common_tls_context()->mutable_tls_params()->set_tls_minimum_protocol_version(
      tls_v3::TlsParameters::TLSv1_1);
  EXPECT_EQ(registry.slotFor("secure", context, "L", errors), nullptr);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "L.common_tls_context.tls_params.tls_minimum_protocol_version: TLSv1_1 is "
                       "not supported (this proxy negotiates TLS 1.2 and 1.3 only)");
}

TEST(ContextRegistryTest, ReloadChangedReloadsLiveSlots) {
  Pki pki;
  ContextRegistry registry;
  std::vector<std::string> errors;
  auto slot = registry.slotFor("secure", contextFor(pki.a), "where", errors);
  ASSERT_NE(slot, nullptr);
  const auto before = slot->current();
  portico::testing::writePemPair(pki.dir, "a", pki.ca.issue({"a.test", "New", {"a.test"}}));
  registry.reloadChanged();
  registry.reloadChanged();
  EXPECT_NE(slot->current(), before);
  EXPECT_EQ(handshake(*slot->current(), {"a.test"}).server_subject, "CN=a.test,O=New");
}

}  // namespace
}  // namespace portico::dp::tls
