using System.Security.Cryptography;
using System.Text;
using NeighbourHub.WeChat.Pay;

namespace NeighbourHub.UnitTests;

/// <summary>The WeChat Pay v3 rules, byte for byte (the npm cross-check in the integration tests covers them from outside).</summary>
public sealed class WeChatPayProtocolTests
{
    private static readonly RSA Merchant = RSA.Create(2048);
    private static readonly RSA Platform = RSA.Create(2048);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);
    private const string ApiV3Key = "0123456789abcdefghijklmnopqrstuv";

    private static WeChatPayKeys Keys() => new("1900009191", "wx123", "SERIAL1", Merchant,
        new Dictionary<string, RSA> { ["PUB_KEY_ID_0001"] = Public(Platform) }, ApiV3Key);

    private static RSA Public(RSA key)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(key.ExportParameters(false));
        return rsa;
    }

    [Fact]
    public void The_signing_string_has_five_lines_each_ending_in_a_line_feed()
    {
        Assert.Equal("POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"a\":1}\n",
            WeChatPayCrypto.RequestMessage("POST", "/v3/pay/transactions/jsapi", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", "{\"a\":1}"));
        Assert.Equal("GET\n/v3/pay/transactions/out-trade-no/NH1?mchid=1900009191\n1554208460\nN\n\n",
            WeChatPayCrypto.RequestMessage("GET", "/v3/pay/transactions/out-trade-no/NH1?mchid=1900009191", "1554208460", "N", ""));
        Assert.Equal("1554208460\nN\n{}\n", WeChatPayCrypto.ResponseMessage("1554208460", "N", "{}"));
    }

    [Fact]
    public void The_authorization_header_has_the_scheme_and_five_quoted_fields()
    {
        var header = WeChatPayCrypto.AuthorizationHeader("1900009191", "NONCE", "c2lnbg==", "1554208460", "SERIAL1");
        Assert.Equal("WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"NONCE\",signature=\"c2lnbg==\",timestamp=\"1554208460\",serial_no=\"SERIAL1\"", header);
        Assert.Equal("c2lnbg==", WeChatPayCrypto.ParseAuthorization(header)["signature"]);
    }

    [Fact]
    public void PaySign_is_RSA_SHA256_over_four_lines_and_verifies_with_the_merchant_public_key()
    {
        var p = WeChatPayNotifications.PayParamsFor(Keys(), "wx201410272009395522657a690389285100", Now);
        Assert.Equal((Now.ToUnixTimeSeconds().ToString(), "prepay_id=wx201410272009395522657a690389285100", "RSA"), (p.TimeStamp, p.Package, p.SignType));
        Assert.True(p.NonceStr.Length <= 32);
        var signed = Encoding.UTF8.GetBytes($"wx123\n{p.TimeStamp}\n{p.NonceStr}\n{p.Package}\n");
        Assert.True(Public(Merchant).VerifyData(signed, Convert.FromBase64String(p.PaySign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Responses_verify_with_the_key_the_serial_names_within_five_minutes_and_probes_fail()
    {
        var keys = Keys();
        SignatureHeaders Signed(DateTimeOffset at, string body, RSA? by = null, string serial = "PUB_KEY_ID_0001")
        {
            var ts = at.ToUnixTimeSeconds().ToString();
            return new SignatureHeaders(ts, "N1", WeChatPayCrypto.Sign(by ?? Platform, WeChatPayCrypto.ResponseMessage(ts, "N1", body)), serial);
        }

        Assert.Equal(SignatureCheck.Valid, WeChatPaySignatures.Check(keys, Signed(Now, "{\"x\":1}"), "{\"x\":1}", Now.AddMinutes(4)));
        Assert.Equal(SignatureCheck.Stale, WeChatPaySignatures.Check(keys, Signed(Now, "{}"), "{}", Now.AddMinutes(5)));
        Assert.Equal(SignatureCheck.Stale, WeChatPaySignatures.Check(keys, Signed(Now.AddMinutes(6), "{}"), "{}", Now));
        Assert.Equal(SignatureCheck.BadSignature, WeChatPaySignatures.Check(keys, Signed(Now, "{\"x\":1}"), "{\"x\":2}", Now));
        Assert.Equal(SignatureCheck.BadSignature, WeChatPaySignatures.Check(keys, Signed(Now, "{}", by: Merchant), "{}", Now));
        Assert.Equal(SignatureCheck.UnknownSerial, WeChatPaySignatures.Check(keys, Signed(Now, "{}", serial: "PUB_KEY_ID_9999"), "{}", Now));
        Assert.Equal(SignatureCheck.MissingHeaders, WeChatPaySignatures.Check(keys, new SignatureHeaders(null, "N", "S", "PUB_KEY_ID_0001"), "{}", Now));
        var probe = Signed(Now, "{}") with { Signature = WeChatPayCrypto.ProbeSignaturePrefix + "AAAA" };
        Assert.Equal(SignatureCheck.BadSignature, WeChatPaySignatures.Check(keys, probe, "{}", Now));
    }

    [Fact]
    public void Callbacks_decrypt_with_the_tag_at_the_end_and_any_tampering_fails()
    {
        var cipher = WeChatPayCrypto.Encrypt(ApiV3Key, "a1b2c3d4e5f6", "transaction", "{\"trade_state\":\"SUCCESS\"}");
        Assert.Equal(25 + 16, Convert.FromBase64String(cipher).Length);
        Assert.Equal("{\"trade_state\":\"SUCCESS\"}", WeChatPayCrypto.Decrypt(ApiV3Key, "a1b2c3d4e5f6", "transaction", cipher));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayCrypto.Decrypt(ApiV3Key, "a1b2c3d4e5f6", "certificate", cipher));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayCrypto.Decrypt(ApiV3Key, "000000000000", "transaction", cipher));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayCrypto.Decrypt(new string('z', 32), "a1b2c3d4e5f6", "transaction", cipher));

        var (headers, body) = WeChatPayNotifications.Build(Platform, "PUB_KEY_ID_0001", ApiV3Key, "TRANSACTION.SUCCESS", "transaction", "{\"out_trade_no\":\"NH1\"}", Now);
        var opened = WeChatPayNotifications.Open(Keys(), headers, body, Now);
        Assert.True(opened.Ok);
        Assert.Equal("{\"out_trade_no\":\"NH1\"}", opened.PlainText);
        Assert.Equal("TRANSACTION.SUCCESS", opened.Envelope!.EventType);
    }
}
