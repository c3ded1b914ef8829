namespace LeakGuard.Tool.Commands;

/// <summary>Turns what ClrMD throws for a bad dump into a message for people, and bounds the analysis in time.</summary>
internal static class DumpErrors
{
    /// <summary>Checks that <paramref name="path"/> is a readable file.</summary>
    /// <exception cref="ToolException">It is not.</exception>
    public static void CheckReadable(string path)
    {
        if (Directory.Exists(path))
            throw new ToolException($"'{path}' is a directory, not a dump.");
        if (!File.Exists(path))
            throw new ToolException($"no dump at '{path}'.");
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"cannot read '{path}' ({e.Message.Trim()}).", e);
        }
    }

    /// <summary>The message for a dump ClrMD could not read.</summary>
    public static string Unreadable(string what, Exception e) =>
        $"cannot read {what} as a .NET heap dump ({e.GetType().Name}: {e.Message.Trim().TrimEnd('.')}). Take one with 'dotnet-dump collect' (full or heap), createdump, or leakguard itself.";

    /// <summary>
    /// Runs <paramref name="read"/> (opening dumps, reading them with ClrMD, searching retention paths) on the thread
    /// pool within <paramref name="timeout"/>. Whatever it throws — <see cref="InvalidDataException"/> for a corrupt
    /// dump, <see cref="IOException"/>, ClrMD's own exceptions, anything — becomes a <see cref="ToolException"/> of
    /// kind <see cref="ErrorKind.Dump"/> (a <see cref="ToolException"/> it throws is kept as it is); over the time limit,
    /// one of kind <see cref="ErrorKind.Timeout"/>.
    /// </summary>
    /// <remarks>
    /// The read is asked to stop through its token, and is not waited for past the limit: a read stuck where it does not
    /// look at the token (a DAC call, a hung file system) is left behind on its thread, and leakguard exits.
    /// </remarks>
    /// <param name="what">The dumps, for messages: <c>'a.dmp'</c>.</param>
    /// <param name="timeout">The time limit (<c>--analysis-timeout</c>).</param>
    /// <param name="read">The work; stops when its token is cancelled.</param>
    /// <param name="cancellationToken">SIGINT/SIGTERM: rethrown as <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ToolException">The read failed or took too long.</exception>
    public static async Task<T> ReadWithinAsync<T>(string what, TimeSpan timeout, Func<CancellationToken, T> read, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var work = Task.Run(() => read(limit.Token), CancellationToken.None);
        try
        {
            return await work.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && limit.IsCancellationRequested))
        {
            throw new ToolException(
                $"the heap analysis of {what} did not finish within {Units.Duration(timeout)} (--analysis-timeout): give it more time (e.g. --analysis-timeout 30m), or skip thread stacks with --no-stack-roots.",
                e,
                ErrorKind.Timeout
            );
        }
        catch (ToolException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ToolException(Unreadable(what, e), e, ErrorKind.Dump);
        }
    }

    /// <summary>
    /// <see cref="ReadWithinAsync"/> for the dumps at <paramref name="dumps"/>: each is checked to be a readable file
    /// inside the time limit (opening a file on a hung file system blocks too), then <paramref name="read"/> runs; what
    /// it throws reads <c>cannot read 'a.dmp' or 'b.dmp' as a .NET heap dump (…)</c>.
    /// </summary>
    /// <param name="dumps">The dump files, named in messages as <c>'a.dmp' and 'b.dmp'</c>.</param>
    /// <param name="timeout">The time limit (<c>--analysis-timeout</c>).</param>
    /// <param name="read">The work; stops when its token is cancelled.</param>
    /// <param name="cancellationToken">SIGINT/SIGTERM: rethrown as <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ToolException">A dump is missing or unreadable, the read failed, or it took too long.</exception>
    public static Task<T> ReadDumpsWithinAsync<T>(
        IReadOnlyList<string> dumps,
        TimeSpan timeout,
        Func<CancellationToken, T> read,
        CancellationToken cancellationToken
    ) =>
        ReadWithinAsync(
            string.Join(" and ", dumps.Select(d => $"'{d}'")),
            timeout,
            token =>
            {
                foreach (var dump in dumps)
                    CheckReadable(dump);
                token.ThrowIfCancellationRequested();
                try
                {
                    return read(token);
                }
                catch (Exception e) when (e is not (OperationCanceledException or ToolException))
                {
                    throw new ToolException(Unreadable(string.Join(" or ", dumps.Select(d => $"'{d}'")), e), e, ErrorKind.Dump);
                }
            },
            cancellationToken
        );
}
