// Stand-ins for the Colyseus Unity SDK 0.18 (colyseus-unity-sdk, Assets/Colyseus/Runtime), same signatures: README.md
// names the commits. Where a check in test/unity-checks runs a script, they also act as the SDK would, as little as it needs.
using System;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Threading.Tasks;

namespace Colyseus
{
    public delegate void NoArgsEventHandler();
    public delegate void CloseWithCodeEventHandler(int code);
    public delegate void ErrorEventHandler(int code, string message);

    /// <summary>
    /// Not in the SDK: the server a check plays. Each answer is a Task of the Room&lt;T&gt; the script gets (or a failed
    /// one); unset, a join answers null.
    /// </summary>
    public static class StandInServer
    {
        public static Func<Dictionary<string, object>, object> JoinOrCreate;
        public static Func<ReconnectionToken, object> Reconnect;
        /// <summary>The token the last join sent as Authorization: Bearer (the client's Auth.Token then); null for none.</summary>
        public static string JoinedWithToken;
    }

    public class Client
    {
        public Auth Auth = new Auth();
        public Client(string endpoint) { }
        public Task<Room<T>> JoinOrCreate<T>(string roomName, Dictionary<string, object> options = null, Dictionary<string, string> headers = null) where T : Schema.Schema
        {
            // As the SDK's HTTP: the header only with a token.
            StandInServer.JoinedWithToken = string.IsNullOrEmpty(Auth.Token) ? null : Auth.Token;
            return StandInServer.JoinOrCreate == null ? Task.FromResult<Room<T>>(null) : (Task<Room<T>>)StandInServer.JoinOrCreate(options);
        }
        public Task<Room<T>> JoinById<T>(string roomId, Dictionary<string, object> options = null, Dictionary<string, string> headers = null) where T : Schema.Schema { return Task.FromResult<Room<T>>(null); }
        public Task<Room<T>> Reconnect<T>(ReconnectionToken reconnectionToken, Dictionary<string, string> headers = null) where T : Schema.Schema
        {
            return StandInServer.Reconnect == null ? Task.FromResult<Room<T>>(null) : (Task<Room<T>>)StandInServer.Reconnect(reconnectionToken);
        }
    }

    public class Auth
    {
        public string Token { get; set; }
    }

    public class ReconnectionToken
    {
        public string RoomId;
        public string Token;
    }

    /// <summary>As the SDK's (Protocol/Protocol.cs at 57caf0e; 0.18's Room.cs closes by the same names).</summary>
    public enum CloseCode
    {
        NORMAL_CLOSURE = 1000,
        GOING_AWAY = 1001,
        NO_STATUS_RECEIVED = 1005,
        ABNORMAL_CLOSURE = 1006,
        CONSENTED = 4000,
        SERVER_SHUTDOWN = 4001,
        WITH_ERROR = 4002,
        FAILED_TO_RECONNECT = 4003,
        MAY_TRY_RECONNECT = 4010,
    }

    /// <summary>
    /// The room's WebSocket (Connection.cs, a NativeWebSocket.WebSocket, at 57caf0e and as 0.18's Room.cs uses it):
    /// <c>IsOpen</c>; <c>State</c> (WebSocket.cs), Connecting while a try of the SDK opens its socket, Closed between
    /// tries; <c>Drop()</c>, which cancels the socket (open or opening; a closed one stays as it is), the SDK's room
    /// seeing it closed with 1006 and trying again; <c>Close()</c>, which closes only an open socket, but on WebGL an
    /// opening one too (the browser's close event then says 1006).
    /// </summary>
    public class Connection
    {
        public bool IsOpen = true;
        public NativeWebSocket.WebSocketState State
        {
            get { return IsOpen ? NativeWebSocket.WebSocketState.Open : opening ? NativeWebSocket.WebSocketState.Connecting : NativeWebSocket.WebSocketState.Closed; }
        }

        public void Drop()
        {
            did("Drop");
            if (!IsOpen && !opening) return;
            // As on WebGL: the SDK closes an open browser socket with 1006, which a browser refuses (its close throws),
            // and leaves an opening one be.
            if (RefusesDrop && IsOpen) throw new InvalidOperationException("InvalidAccessError: close code 1006");
            if (RefusesDrop) return;
            Closed();
        }

        public Task Close()
        {
            did("Close");
            if (RefusesDrop && opening) Closed();
            return Task.CompletedTask;
        }

        /// <summary>Not in the SDK: set by a check to play a WebGL build, whose Drop() throws on an open socket.</summary>
        public bool RefusesDrop;
        // Not in the SDK: whether a try's socket is opening, set by the room (Room<T>.Retrying()).
        internal bool opening;
        private void Closed()
        {
            IsOpen = false;
            opening = false;
            closed((int)CloseCode.ABNORMAL_CLOSURE);
        }
        // Not in the SDK: the room's calls, and its handler of the socket's close (Room.SetConnection in the SDK).
        internal Action<string> did = call => { };
        internal Action<int> closed = code => { };
    }

    public class MatchMakeException : Exception
    {
        public int Code;
        public MatchMakeException(int code, string message) : base(message) { Code = code; }
    }

    public class HttpException : Exception
    {
        public int StatusCode;
        public HttpException(int statusCode, string message) : base(message) { StatusCode = statusCode; }
    }

    /// <summary>As the SDK's (Room.cs at 57caf0e): its retries, their delays and its backoff.</summary>
    public class ReconnectionOptions
    {
        public bool Enabled = true;
        public int MaxRetries = 15;
        public int MinDelay = 100;
        public int MaxDelay = 5000;
        public int Delay = 100;
        public int RetryCount = 0;
        public Func<int, int, int> Backoff = ExponentialBackoff;
        public static int ExponentialBackoff(int attempt, int delay) { return (int)Math.Floor(Math.Pow(2, attempt) * delay); }
    }

    public class Room<T> where T : Schema.Schema
    {
        public delegate void StateChangeEventHandler(T state, bool isFirstState);

        public Connection Connection;
        public string RoomId;
        public string SessionId;
        public ReconnectionToken ReconnectionToken;
        public ReconnectionOptions Reconnection = new ReconnectionOptions();

        /// <summary>
        /// As the SDK's: the state exists from the join, its collections empty placeholders (refId 0) until the first
        /// full state replaces them; callbacks put on those never fire.
        /// </summary>
        public T State
        {
            get
            {
                if (!hasFirstState) Did("State before the first state");
                return state;
            }
        }

        public event CloseWithCodeEventHandler OnLeave { add { Did("OnLeave"); onLeave += value; } remove { onLeave -= value; } }
        public event CloseWithCodeEventHandler OnDrop { add { Did("OnDrop"); onDrop += value; } remove { onDrop -= value; } }
        public event NoArgsEventHandler OnReconnect { add { Did("OnReconnect"); onReconnect += value; } remove { onReconnect -= value; } }
        public event ErrorEventHandler OnError { add { Did("OnError"); onError += value; } remove { onError -= value; } }
        public event StateChangeEventHandler OnStateChange;

        /// <summary>Not in the SDK: a room as joined, its connection open (the SDK's Client sets it before the room is given).</summary>
        public Room()
        {
            // A close the SDK resumes (1006 after Drop()): the room says it dropped, as the SDK's does before its retries.
            Connection = new Connection { did = Did, closed = code => onDrop(code) };
        }

        /// <summary>Resolves with the first full state (at once when it has come), as the SDK's does.</summary>
        public Task<T> WaitForFirstState()
        {
            if (hasFirstState) return Task.FromResult(state);
            if (firstState == null) firstState = new TaskCompletionSource<T>();
            return firstState.Task;
        }

        public Task Leave(bool consented = true) { Did("Leave"); return Task.CompletedTask; }
        /// <summary>
        /// As the SDK's: its MsgPack writes strings in strict UTF-8 (GameDevWare Json.DefaultEncoding), so a half
        /// character fails the send, in the Task only. Each text sent is kept in <see cref="Texts"/>.
        /// </summary>
        public Task Send(string type, object message)
        {
            Did("Send " + type);
            Sent.Add(new KeyValuePair<string, object>(type, message));
            var fields = message as Dictionary<string, object>;
            object text;
            if (fields == null || !fields.TryGetValue("text", out text)) return Task.CompletedTask;
            try
            {
                new System.Text.UTF8Encoding(false, true).GetBytes((string)text);
            }
            catch (System.Exception error)
            {
                return Task.FromException(error);
            }
            Texts.Add((string)text);
            return Task.CompletedTask;
        }
        public readonly List<string> Texts = new List<string>();
        /// <summary>Each message sent, by its type.</summary>
        public readonly List<KeyValuePair<string, object>> Sent = new List<KeyValuePair<string, object>>();
        public Action OnMessage<MessageType>(string type, Action<MessageType> handler)
        {
            Did("OnMessage " + type);
            handlers[type] = message => handler((MessageType)message);
            return () => { };
        }
        private readonly Dictionary<string, Action<object>> handlers = new Dictionary<string, Action<object>>();
        /// <summary>Not in the SDK: a message from the server, to the handler the script put on it.</summary>
        public void Deliver(string type, object message)
        {
            Action<object> handler;
            if (handlers.TryGetValue(type, out handler)) handler(message);
        }

        // Not in the SDK: what a check sees of the room and does to it, as its server would.
        public readonly List<string> Calls = new List<string>();
        public bool HasFirstState { get { return hasFirstState; } }
        public void Did(string call) { Calls.Add(call); }
        public void ReceiveFirstState()
        {
            Did("first state");
            hasFirstState = true;
            if (OnStateChange != null) OnStateChange(state, true);
            if (firstState != null) firstState.TrySetResult(state);
        }
        /// <summary>A patch of the state (the server's clock comes in one at least once a second).</summary>
        public void Patched() { if (OnStateChange != null) OnStateChange(state, false); }
        public void Drop(int code) { Connection.IsOpen = false; Connection.opening = false; onDrop(code); }
        public void Reconnected() { Connection.IsOpen = true; Connection.opening = false; onReconnect(); }
        /// <summary>The SDK's next try (after a drop, its delay waited): its count up, its new socket opening.</summary>
        public void Retrying() { Reconnection.RetryCount++; Connection.IsOpen = false; Connection.opening = true; }
        public void Left(int code) { Connection.IsOpen = false; Connection.opening = false; onLeave(code); }

        private readonly T state = Activator.CreateInstance<T>();
        private bool hasFirstState;
        private TaskCompletionSource<T> firstState;
        private CloseWithCodeEventHandler onLeave, onDrop;
        private NoArgsEventHandler onReconnect;
        private ErrorEventHandler onError;
    }
}

namespace Colyseus.Schema
{
    public class Schema { }

    [AttributeUsage(AttributeTargets.Field)]
    public class Type : Attribute
    {
        public Type(int index, string type, System.Type childType = null, string childPrimitiveType = null) { }
    }

    public class MapSchema<T> { public T this[string key] { get { return default(T); } } }
    public class ArraySchema<T> { public T this[int index] { get { return default(T); } } public int Count { get { return 0; } } }

    public delegate void PropertyChangeEventHandler<T>(T currentValue, T previousValue);
    public delegate void OnInstanceChangeEventHandler();
    public delegate void KeyValueEventHandler<K, T>(K key, T value);

    public class StateCallbackStrategy<TState>
    {
        public Action Listen<TReturn>(Expression<Func<TState, TReturn>> propertyExpression, PropertyChangeEventHandler<TReturn> handler, bool immediate = true) { return Did("Listen", propertyExpression); }
        public Action Listen<TInstance, TReturn>(TInstance instance, Expression<Func<TInstance, TReturn>> propertyExpression, PropertyChangeEventHandler<TReturn> handler, bool immediate = true) { return null; }
        public Action OnChange<T>(T instance, OnInstanceChangeEventHandler handler) { return null; }
        public Action OnAdd<TReturn>(Expression<Func<TState, ArraySchema<TReturn>>> propertyExpression, KeyValueEventHandler<int, TReturn> handler, bool immediate = true) { return Did("OnAdd", propertyExpression); }
        public Action OnAdd<TReturn>(Expression<Func<TState, MapSchema<TReturn>>> propertyExpression, KeyValueEventHandler<string, TReturn> handler, bool immediate = true) { return Did("OnAdd", propertyExpression); }
        public Action OnRemove<TReturn>(Expression<Func<TState, MapSchema<TReturn>>> propertyExpression, KeyValueEventHandler<string, TReturn> handler) { return Did("OnRemove", propertyExpression); }

        // Not in the SDK: tells the room's calls which collection a callback went on.
        internal Action<string> did = call => { };
        private Action Did(string call, LambdaExpression propertyExpression)
        {
            did(call + " " + ((MemberExpression)propertyExpression.Body).Member.Name);
            return () => { };
        }
    }

    public class Callbacks
    {
        public static StateCallbackStrategy<T> Get<T>(Room<T> room) where T : Schema
        {
            room.Did(room.HasFirstState ? "Callbacks" : "Callbacks before the first state");
            return new StateCallbackStrategy<T> { did = room.Did };
        }
    }
}

namespace NativeWebSocket
{
    public enum WebSocketState { Connecting, Open, Closing, Closed }
}
