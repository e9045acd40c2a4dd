// Stand-ins for the Colyseus Unity SDK (colyseus-unity-sdk, Assets/Colyseus/Runtime), same signatures.
using System;
using System.Collections.Generic;
using System.Linq.Expressions;
using System.Threading.Tasks;

namespace Colyseus
{
    public delegate void NoArgsEventHandler();
    public delegate void CloseWithCodeEventHandler(int code);
    public delegate void ErrorEventHandler(int code, string message);

    public class Client
    {
        public Auth Auth = new Auth();
        public Client(string endpoint) { }
        public Task<Room<T>> JoinOrCreate<T>(string roomName, Dictionary<string, object> options = null, Dictionary<string, string> headers = null) where T : Schema.Schema { return Task.FromResult<Room<T>>(null); }
        public Task<Room<T>> JoinById<T>(string roomId, Dictionary<string, object> options = null, Dictionary<string, string> headers = null) where T : Schema.Schema { return Task.FromResult<Room<T>>(null); }
        public Task<Room<T>> Reconnect<T>(ReconnectionToken reconnectionToken, Dictionary<string, string> headers = null) where T : Schema.Schema { return Task.FromResult<Room<T>>(null); }
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

    public class Room<T> where T : Schema.Schema
    {
        public string RoomId;
        public string SessionId;
        public ReconnectionToken ReconnectionToken;
        public T State { get { return null; } }
        public event CloseWithCodeEventHandler OnLeave;
        public event CloseWithCodeEventHandler OnDrop;
        public event NoArgsEventHandler OnReconnect;
        public event ErrorEventHandler OnError;
        public Task Leave(bool consented = true) { return Task.CompletedTask; }
        public Task Send(string type, object message) { return Task.CompletedTask; }
        public void OnMessage<MessageType>(string type, Action<MessageType> handler) { }
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
        public Action Listen<TInstance, TReturn>(TInstance instance, Expression<Func<TInstance, TReturn>> propertyExpression, PropertyChangeEventHandler<TReturn> handler, bool immediate = true) { return null; }
        public Action OnChange<T>(T instance, OnInstanceChangeEventHandler handler) { return null; }
        public Action OnAdd<TReturn>(Expression<Func<TState, ArraySchema<TReturn>>> propertyExpression, KeyValueEventHandler<int, TReturn> handler, bool immediate = true) { return null; }
        public Action OnAdd<TReturn>(Expression<Func<TState, MapSchema<TReturn>>> propertyExpression, KeyValueEventHandler<string, TReturn> handler, bool immediate = true) { return null; }
        public Action OnRemove<TReturn>(Expression<Func<TState, MapSchema<TReturn>>> propertyExpression, KeyValueEventHandler<string, TReturn> handler) { return null; }
    }

    public class Callbacks
    {
        public static StateCallbackStrategy<T> Get<T>(Room<T> room) where T : Schema { return new StateCallbackStrategy<T>(); }
    }
}
