namespace NeighbourHub.WeChat.Pay;

/// <summary>
/// WeChat Pay API v3 merchant configuration (section <c>WeChatPay</c>). With <see cref="MchId"/> empty the
/// app uses the sandbox, which signs and encrypts with generated keys through the same code paths.
/// </summary>
public sealed class WeChatPayOptions
{
    public const string SectionName = "WeChatPay";

    public string MchId { get; set; } = "";
    public string AppId { get; set; } = "";
    /// <summary>Serial number of the merchant API certificate (商户API证书序列号), sent in every Authorization header.</summary>
    public string MerchantSerialNumber { get; set; } = "";
    /// <summary>PEM file of the merchant private key (apiclient_key.pem).</summary>
    public string MerchantPrivateKeyPath { get; set; } = "";
    /// <summary>The 32-character APIv3 key that decrypts callbacks.</summary>
    public string ApiV3Key { get; set; } = "";
    /// <summary>Public-key mode (every merchant since late 2024): the id looks like <c>PUB_KEY_ID_…</c>.</summary>
    public string PlatformPublicKeyId { get; set; } = "";
    public string PlatformPublicKeyPath { get; set; } = "";
    /// <summary>Older merchants: platform certificates (PEM), each chosen by its serial number.</summary>
    public string[] PlatformCertificatePaths { get; set; } = [];
    public string BaseUrl { get; set; } = "https://api.mch.weixin.qq.com";
    /// <summary>https, no query string: <c>https://…/api/v1/payments/wechat/notify</c>.</summary>
    public string NotifyUrl { get; set; } = "";
    public string RefundNotifyUrl { get; set; } = "";
    public double TimeoutSeconds { get; set; } = 10;
    /// <summary>Allow the sandbox in Production (a demo server); never on for a real street office.</summary>
    public bool AllowSandboxInProduction { get; set; }

    public bool UseSandbox => string.IsNullOrWhiteSpace(MchId);
}
