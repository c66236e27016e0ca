using System.Diagnostics;

namespace NeighbourHub.KillTest;

/// <summary>
/// One published app instance as an operator runs it: `dotnet NeighbourHub.Web.dll` in Production with settings
/// from the environment, its output appended to a log file. <see cref="Kill"/> is SIGKILL (no draining, no
/// cleanup), which is what a crashed process or a pulled plug looks like to the others.
/// </summary>
internal sealed class Instance(int port, string appDll, IReadOnlyDictionary<string, string> environment, string logFile)
{
    private Process? _process;

    public int Port => port;

    public string Name => $"instance-{port}";

    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // exec: the pid we hold is dotnet's own, so Kill() kills the app and not a shell around it.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec dotnet '{appDll}' >>'{logFile}' 2>&1");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Instance__Name"] = Name;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start");
        // deploy/kill-test.sh kills whatever is still listed here when it ends, however the driver ended.
        File.WriteAllText(Path.ChangeExtension(logFile, ".pid"), _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>SIGKILL, as .NET's Process.Kill sends on Unix.</summary>
    public void Kill()
    {
        _process?.Kill();
        _process?.WaitForExit(5000);
    }

    /// <summary>SIGTERM (the app drains and stops), then SIGKILL if it takes too long.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } p)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
        }
    }

    /// <summary>Waits until the instance answers /health/ready directly (not through nginx).</summary>
    public async Task WaitReadyAsync(HttpClient direct, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}; see {logFile}");
            }

            try
            {
                using var response = await direct.GetAsync($"http://127.0.0.1:{port}/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{Name} not ready within {limit.TotalSeconds:0} s; see {logFile}");
    }
}

/// <summary>A helper script the shell side wrote (stop or start MariaDB or Redis); run to completion.</summary>
internal static class Scripts
{
    public static async Task RunAsync(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("/bin/bash", [path]) { UseShellExecute = false })
            ?? throw new InvalidOperationException(path);
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{path} exited with {p.ExitCode}");
        }
    }
}
