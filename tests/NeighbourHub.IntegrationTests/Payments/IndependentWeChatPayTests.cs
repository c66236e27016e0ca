using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NeighbourHub.TestSupport;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// Our WeChat Pay v3 code checked by someone else's: wechatpay-axios-plugin (npm, run with node) verifies
/// our paySign and request signatures, builds a callback our endpoint must accept, and decrypts our
/// AES-GCM. Our client and our fake share <see cref="WeChatPayCrypto"/>, so only an outside view can catch
/// a mistake in it. deploy/test.sh installs node and the package; without them this test fails, never skips.
/// </summary>
public sealed class IndependentWeChatPayTests(AppFixture fixture) : AppTest(fixture)
{
    private static async Task<JsonElement> NodeAsync(object command)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NeighbourHub.sln")))
        {
            dir = dir.Parent;
        }

        var checker = Path.Combine(dir!.FullName, "tests", "independent-wechatpay");
        Assert.True(Directory.Exists(Path.Combine(checker, "node_modules", "wechatpay-axios-plugin")),
            "Run deploy/test.sh (it runs `npm ci --prefix tests/independent-wechatpay`) before this test.");
        using var node = Process.Start(new ProcessStartInfo("node", "check.js")
        {
            WorkingDirectory = checker,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await node.StandardInput.WriteAsync(JsonSerializer.Serialize(command));
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, await node.StandardError.ReadToEndAsync());
        var result = JsonSerializer.Deserialize<JsonElement>(output);
        Assert.False(result.TryGetProperty("error", out var error), error.ToString());
        return result;
    }

    [Fact]
    public async Task Our_signatures_verify_and_their_callback_is_accepted()
    {
        var admin = await App.AdminClientAsync("adminA");
        await admin.PostAsJsonAsync("/api/v1/admin/fee-items", new { estateId = Org.EstateA1, name = "物业费", kind = "perAreaMonthly", unitPriceFen = 250, effectiveFrom = "2026-01-01" });
        await admin.PostAsJsonAsync("/api/v1/admin/billing/runs", new { estateId = Org.EstateA1, period = "2026-11" });
        var (resident, _) = await VerifiedResidentAsync("wx-independent", Org.HouseholdsA1[0]);
        var bill = (await Json(await resident.GetAsync("/api/v1/bills?status=unpaid")))[0];
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/payments") { Content = JsonContent.Create(new { billIds = new[] { bill.GetProperty("id").GetInt64() } }) };
        request.Headers.Add("Idempotency-Key", "independent-1");
        var created = await Json(await resident.SendAsync(request));
        var outTradeNo = created.GetProperty("outTradeNo").GetString()!;
        var p = created.GetProperty("payParams");

        // 1. paySign, as the mini-program's wx.requestPayment will present it to WeChat.
        var paySign = await NodeAsync(new
        {
            command = "verifyPaySign",
            appId = FakeWeChatPayServer.AppId,
            timeStamp = p.GetProperty("timeStamp").GetString(),
            nonceStr = p.GetProperty("nonceStr").GetString(),
            package = p.GetProperty("package").GetString(),
            paySign = p.GetProperty("paySign").GetString(),
            merchantPublicKeyPem = Pay.MerchantPublicKeyPem,
        });
        Assert.True(paySign.GetProperty("ok").GetBoolean());

        // 2. The signed JSAPI order request, exactly as it went over the wire.
        var sent = Pay.Requests.Last(r => r.PathAndQuery == "/v3/pay/transactions/jsapi" && r.Body.Contains(outTradeNo, StringComparison.Ordinal));
        var signed = await NodeAsync(new
        {
            command = "verifyRequest",
            method = sent.Method,
            uri = sent.PathAndQuery,
            authorization = sent.Authorization,
            body = sent.Body,
            merchantPublicKeyPem = Pay.MerchantPublicKeyPem,
        });
        Assert.True(signed.GetProperty("ok").GetBoolean());
        Assert.Equal((FakeWeChatPayServer.MchId, FakeWeChatPayServer.MerchantSerial), (signed.GetProperty("mchid").GetString(), signed.GetProperty("serial").GetString()));

        // 3. A payment callback built and signed by their code: our endpoint verifies, decrypts and applies it.
        Pay.Pay(outTradeNo);
        var order = Pay.Orders[outTradeNo];
        var callback = await NodeAsync(new
        {
            command = "buildCallback",
            platformPrivateKeyPem = Pay.PlatformPrivateKeyPem,
            serial = FakeWeChatPayServer.PlatformKeyId,
            apiV3Key = Pay.ApiV3Key,
            transaction = new
            {
                mchid = FakeWeChatPayServer.MchId,
                appid = FakeWeChatPayServer.AppId,
                out_trade_no = outTradeNo,
                transaction_id = order.TransactionId,
                trade_type = "JSAPI",
                trade_state = "SUCCESS",
                trade_state_desc = "支付成功",
                success_time = "2026-11-23T10:00:05+08:00",
                payer = new { openid = "o-independent" },
                amount = new { total = order.Request.Amount.Total, payer_total = order.Request.Amount.Total, currency = "CNY", payer_currency = "CNY" },
            },
        });
        var headers = new SignatureHeaders(callback.GetProperty("timestamp").GetString(), callback.GetProperty("nonce").GetString(),
            callback.GetProperty("signature").GetString(), callback.GetProperty("serial").GetString());
        var answer = await FakeWeChatPayServer.DeliverAsync(App.CreateClient(), (headers, callback.GetProperty("body").GetString()!));
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Equal("paid", (await Json(await resident.GetAsync($"/api/v1/payments/{created.GetProperty("paymentId").GetInt64()}"))).GetProperty("status").GetString());

        // 4. Our AES-256-GCM (what the sandbox's callbacks carry), opened by theirs.
        var ciphertext = WeChatPayCrypto.Encrypt(Pay.ApiV3Key, "0123456789ab", "transaction", "{\"trade_state\":\"SUCCESS\"}");
        var plain = await NodeAsync(new { command = "decrypt", apiV3Key = Pay.ApiV3Key, nonce = "0123456789ab", aad = "transaction", ciphertext });
        Assert.Equal("{\"trade_state\":\"SUCCESS\"}", plain.GetProperty("plaintext").GetString());
    }
}
