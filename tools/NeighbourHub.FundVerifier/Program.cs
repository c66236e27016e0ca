using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace NeighbourHub.FundVerifier;

/// <summary>
/// The owner's command line. From the server:
/// <c>--base http://host --estate 1 --token TOKEN [--saved-head old.json] [--save-head new.json] [--entry SEQ]</c>;
/// from files: <c>--export export.jsonl --head head.json --keys keys.json [--saved-head old.json] [--consistency proof.json] [--entry-file entry.json]</c>.
/// Both take <c>--key-fingerprint HEX</c> (the key fingerprint published off the server). Exit code 0 only when every check holds;
/// 1 when a check failed; 2 when the input could not be fetched or read.
/// </summary>
internal static class Program
{
    private const string Usage = """
        用法 / usage:
          从服务器核对 (online):
            NeighbourHub.FundVerifier --base http://localhost:5000 --estate 1 --token TOKEN
                [--saved-head 上月树头.json] [--save-head 本月树头.json] [--entry SEQ] [--key-fingerprint HEX]
          从文件核对 (offline):
            NeighbourHub.FundVerifier --export export.jsonl --head head.json --keys keys.json [--estate 1]
                [--saved-head 上月树头.json] [--consistency proof.json] [--entry-file entry.json]
                [--save-head 本月树头.json] [--key-fingerprint HEX]
        退出码 / exit code: 0 全部通过 all checks hold; 1 有核对未通过 a check failed; 2 无法获取或读取输入 input unreadable.
        """;

    private static readonly string[] Flags =
    [
        "--base", "--estate", "--token", "--saved-head", "--save-head", "--export", "--head", "--keys",
        "--consistency", "--entry", "--entry-file", "--key-fingerprint",
    ];

    public static async Task<int> Main(string[] args)
    {
        Console.OutputEncoding = Encoding.UTF8;
        if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!Flags.Contains(args[i]) || i + 1 >= args.Length)
            {
                Console.Error.WriteLine("✘ 无法识别的参数或缺少参数值：" + args[i]);
                Console.Error.WriteLine(Usage);
                return 2;
            }
            options[args[i]] = args[++i];
        }

        FundLogInput input;
        string headJson;
        try
        {
            (input, headJson) = options.ContainsKey("--base")
                ? await FromServer(options)
                : await FromFiles(options);
        }
        catch (Exception e) when (e is FormatException or IOException or HttpRequestException or UnauthorizedAccessException or ArgumentException or TaskCanceledException)
        {
            Console.Error.WriteLine("✘ " + e.Message);
            return 2;
        }

        var report = FundLogVerifier.Verify(input);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"小区 {input.EstateId} 的业主共有资金账本核对（签名树头：{input.Head.TreeSize} 条，{input.Head.Timestamp}）"));
        foreach (var finding in report.Findings)
        {
            Console.WriteLine(finding);
        }
        if (report.Ok)
        {
            if (options.TryGetValue("--save-head", out var savePath))
            {
                await File.WriteAllTextAsync(savePath, headJson);
                Console.WriteLine("✔ 已将本次签名树头保存到 " + savePath + "，下次核对时用 --saved-head 传入");
            }
            Console.WriteLine("✔ 全部核对通过");
            return 0;
        }
        if (options.ContainsKey("--save-head"))
        {
            Console.WriteLine("✘ 核对未通过，未保存树头");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"✘ 核对未通过：{report.Failures.Count()} 项问题"));
        return 1;
    }

    private static async Task<(FundLogInput Input, string HeadJson)> FromServer(Dictionary<string, string> options)
    {
        var baseUrl = Required(options, "--base").TrimEnd('/');
        var estate = Required(options, "--estate");
        var token = Required(options, "--token");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var estatePath = baseUrl + "/api/v1/estates/" + Uri.EscapeDataString(estate) + "/fund";

        // The head first: entries appended while the export is read are then beyond the head and only noted.
        var headJson = await Get(http, estatePath + "/head", token);
        var head = FundDocuments.ParseHead(headJson);
        var keys = FundDocuments.ParseKeys(await Get(http, baseUrl + "/api/v1/fund/keys", null));
        var export = FundDocuments.ParseExport(await Get(http, estatePath + "/export", token));
        var saved = options.TryGetValue("--saved-head", out var savedPath) ? FundDocuments.ParseHead(await File.ReadAllTextAsync(savedPath)) : null;
        ConsistencyProof? consistency = null;
        if (saved is not null && saved.TreeSize > 0 && saved.TreeSize < head.TreeSize)
        {
            consistency = FundDocuments.ParseConsistency(await Get(
                http,
                string.Create(CultureInfo.InvariantCulture, $"{estatePath}/consistency?first={saved.TreeSize}&second={head.TreeSize}"),
                token));
        }
        EntryProof? entry = null;
        if (options.TryGetValue("--entry", out var seq))
        {
            if (!long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw new FormatException("--entry 须为记录序号（从 0 起的整数）：" + seq);
            }
            entry = FundDocuments.ParseEntry(await Get(http, string.Create(CultureInfo.InvariantCulture, $"{estatePath}/entries/{number}"), token));
        }
        return (new FundLogInput(estate, export, head, keys)
        {
            SavedHead = saved,
            Consistency = consistency,
            Entry = entry,
            PinnedKeyFingerprint = options.GetValueOrDefault("--key-fingerprint"),
        }, headJson);
    }

    private static async Task<(FundLogInput Input, string HeadJson)> FromFiles(Dictionary<string, string> options)
    {
        var headJson = await File.ReadAllTextAsync(Required(options, "--head"));
        var head = FundDocuments.ParseHead(headJson);
        var keys = FundDocuments.ParseKeys(await File.ReadAllTextAsync(Required(options, "--keys")));
        var export = FundDocuments.ParseExport(await File.ReadAllTextAsync(Required(options, "--export")));
        var saved = options.TryGetValue("--saved-head", out var savedPath) ? FundDocuments.ParseHead(await File.ReadAllTextAsync(savedPath)) : null;
        var consistency = options.TryGetValue("--consistency", out var proofPath) ? FundDocuments.ParseConsistency(await File.ReadAllTextAsync(proofPath)) : null;
        var entry = options.TryGetValue("--entry-file", out var entryPath) ? FundDocuments.ParseEntry(await File.ReadAllTextAsync(entryPath)) : null;
        return (new FundLogInput(options.GetValueOrDefault("--estate") ?? head.EstateId, export, head, keys)
        {
            SavedHead = saved,
            Consistency = consistency,
            Entry = entry,
            PinnedKeyFingerprint = options.GetValueOrDefault("--key-fingerprint"),
        }, headJson);
    }

    private static string Required(Dictionary<string, string> options, string flag) =>
        options.TryGetValue(flag, out var value) ? value : throw new ArgumentException("缺少参数 " + flag + "\n" + Usage);

    private static async Task<string> Get(HttpClient http, string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (HttpRequestException e)
        {
            throw new HttpRequestException("无法连接 " + url + "：" + e.Message, e);
        }
        catch (TaskCanceledException e)
        {
            throw new HttpRequestException("请求超时：" + url, e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"无法获取 {url}：HTTP {(int)response.StatusCode} {response.ReasonPhrase}"));
            }
            return await response.Content.ReadAsStringAsync();
        }
    }
}
