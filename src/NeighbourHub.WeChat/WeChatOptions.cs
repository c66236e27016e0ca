namespace NeighbourHub.WeChat;

/// <summary>Configuration section <c>WeChat</c>: the mini-program's identity and where its server API lives.</summary>
public sealed class WeChatOptions
{
    public const string SectionName = "WeChat";

    /// <summary>Mini-program AppID. Empty means "no WeChat app": the built-in sandbox is used.</summary>
    public string AppId { get; set; } = "";

    public string AppSecret { get; set; } = "";

    /// <summary>Base address of the mini-program server API; tests point it at a local fake.</summary>
    public string BaseUrl { get; set; } = "https://api.weixin.qq.com";

    /// <summary>Must be set to true to allow the sandbox in the Production environment.</summary>
    public bool Sandbox { get; set; }

    /// <summary>Per-attempt timeout in seconds (WeChat answers within a few hundred ms when healthy).</summary>
    public int TimeoutSeconds { get; set; } = 5;

    /// <summary>Subscribe-message template ids keyed by our own event names.</summary>
    public Dictionary<string, string> Templates { get; set; } = [];

    public bool UsesSandbox => string.IsNullOrWhiteSpace(AppId);
}
